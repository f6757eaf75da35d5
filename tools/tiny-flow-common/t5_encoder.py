"""Tiny T5 v1.1 encoder (transformers' T5EncoderModel structure, as FLUX.1 and SD3 use T5-XXL), random weights.

Written from transformers' models/t5/modeling_t5.py (T5Stack, T5Block, T5LayerSelfAttention, T5Attention,
T5LayerFF, T5DenseGatedActDense, T5LayerNorm), not copied; parameter names follow theirs:
- `shared` token embedding (the encoder's embed_tokens), no position embeddings;
- every block: layer[0] = RMS T5LayerNorm -> self-attention (q, k, v, o without biases, scores NOT scaled by
  1/sqrt(d_kv)) + residual; layer[1] = T5LayerNorm -> gated-gelu feed-forward (wi_0, wi_1, wo, no biases; gelu_new =
  the tanh approximation) + residual;
- relative position bias (bidirectional buckets) computed by block 0's `relative_attention_bias` and added to the
  scores of every layer; no attention mask (diffusers' FLUX / SD3 pipelines pass none);
- final_layer_norm. Output: last_hidden_state (B, S, d_model).

Sizes: d_model 96, 2 layers, 2 heads, d_kv 16, d_ff 128, 8 buckets, max distance 20, vocabulary 610 (the tiny
T5 tokenizer's 600 pieces + 10 extra ids). Weight seed T5_SEED.

    from t5_encoder import build_t5_encoder, export_t5_encoder, t5_config
"""
import math
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tiny-sdxl"))
from sdxl_modules import randomize  # noqa: E402  (fan-in scaled weights, norm scales 1 +- 0.1, embeddings std 0.5)

T5_SEED = 20260421
T5 = dict(vocab_size=610, d_model=96, num_layers=2, num_heads=2, d_kv=16, d_ff=128,
          relative_attention_num_buckets=8, relative_attention_max_distance=20, layer_norm_epsilon=1e-6)
TRANSFORMERS_VERSION = "4.46.3"


class T5LayerNorm(nn.Module):
    """RMS norm without mean subtraction or bias, variance in float32."""

    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.variance_epsilon = eps

    def forward(self, x):
        variance = x.float().pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.variance_epsilon))


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def relative_position_bucket(relative_position, num_buckets, max_distance):
    """T5Attention._relative_position_bucket, bidirectional: half the buckets per direction, exact below
    num_buckets // 4, logarithmic up to max_distance, the last bucket beyond."""
    num_buckets //= 2
    buckets = (relative_position > 0).to(torch.long) * num_buckets
    relative_position = torch.abs(relative_position)
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    large = max_exact + (torch.log(relative_position.float() / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, relative_position, large)


class T5Attention(nn.Module):
    def __init__(self, cfg, has_relative_attention_bias):
        super().__init__()
        self.cfg = cfg
        self.n_heads, self.d_kv = cfg["num_heads"], cfg["d_kv"]
        inner = self.n_heads * self.d_kv
        self.q = nn.Linear(cfg["d_model"], inner, bias=False)
        self.k = nn.Linear(cfg["d_model"], inner, bias=False)
        self.v = nn.Linear(cfg["d_model"], inner, bias=False)
        self.o = nn.Linear(inner, cfg["d_model"], bias=False)
        if has_relative_attention_bias:
            self.relative_attention_bias = nn.Embedding(cfg["relative_attention_num_buckets"], self.n_heads)

    def compute_bias(self, n):
        context = torch.arange(n, dtype=torch.long)[:, None]
        memory = torch.arange(n, dtype=torch.long)[None, :]
        bucket = relative_position_bucket(memory - context, self.cfg["relative_attention_num_buckets"],
                                          self.cfg["relative_attention_max_distance"])
        return self.relative_attention_bias(bucket).permute(2, 0, 1).unsqueeze(0)     # (1, heads, q, k)

    def forward(self, x, position_bias):
        b, n, _ = x.shape
        shape = lambda t: t.view(b, n, self.n_heads, self.d_kv).transpose(1, 2)    # noqa: E731
        q, k, v = shape(self.q(x)), shape(self.k(x)), shape(self.v(x))
        scores = torch.matmul(q, k.transpose(3, 2)) + position_bias                  # no 1/sqrt(d_kv) in T5
        w = torch.softmax(scores.float(), dim=-1).type_as(scores)
        return self.o(torch.matmul(w, v).transpose(1, 2).reshape(b, n, -1))


class T5LayerSelfAttention(nn.Module):
    def __init__(self, cfg, has_relative_attention_bias):
        super().__init__()
        self.SelfAttention = T5Attention(cfg, has_relative_attention_bias)
        self.layer_norm = T5LayerNorm(cfg["d_model"], cfg["layer_norm_epsilon"])

    def forward(self, x, position_bias):
        return x + self.SelfAttention(self.layer_norm(x), position_bias)


class T5DenseGatedActDense(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wi_0 = nn.Linear(cfg["d_model"], cfg["d_ff"], bias=False)
        self.wi_1 = nn.Linear(cfg["d_model"], cfg["d_ff"], bias=False)
        self.wo = nn.Linear(cfg["d_ff"], cfg["d_model"], bias=False)

    def forward(self, x):
        return self.wo(gelu_new(self.wi_0(x)) * self.wi_1(x))


class T5LayerFF(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.DenseReluDense = T5DenseGatedActDense(cfg)
        self.layer_norm = T5LayerNorm(cfg["d_model"], cfg["layer_norm_epsilon"])

    def forward(self, x):
        return x + self.DenseReluDense(self.layer_norm(x))


class T5Block(nn.Module):
    def __init__(self, cfg, has_relative_attention_bias):
        super().__init__()
        self.layer = nn.ModuleList([T5LayerSelfAttention(cfg, has_relative_attention_bias), T5LayerFF(cfg)])

    def forward(self, x, position_bias):
        return self.layer[1](self.layer[0](x, position_bias))


class T5Stack(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.block = nn.ModuleList([T5Block(cfg, i == 0) for i in range(cfg["num_layers"])])
        self.final_layer_norm = T5LayerNorm(cfg["d_model"], cfg["layer_norm_epsilon"])

    def forward(self, x):
        position_bias = self.block[0].layer[0].SelfAttention.compute_bias(x.shape[1])
        for block in self.block:
            x = block(x, position_bias)
        return self.final_layer_norm(x)


class T5EncoderModel(nn.Module):
    """forward(input_ids int64 (B, S)) -> last_hidden_state (B, S, d_model): optimum's T5EncoderOnnxConfig I/O."""

    def __init__(self, cfg=T5):
        super().__init__()
        self.cfg = cfg
        self.shared = nn.Embedding(cfg["vocab_size"], cfg["d_model"])
        self.encoder = T5Stack(cfg)

    def forward(self, input_ids):
        return self.encoder(self.shared(input_ids))


def build_t5_encoder():
    """The tiny T5 encoder with its fixed random weights (own generator, seed T5_SEED)."""
    return randomize(T5EncoderModel(), torch.Generator().manual_seed(T5_SEED)).eval()


def t5_config():
    """transformers' T5Config as a T5EncoderModel folder has it (FLUX.1 / SD3 text_encoder_2 / text_encoder_3)."""
    c = T5
    return {
        "_name_or_path": "qwen-image-api/tiny-flow-common/t5",
        "architectures": ["T5EncoderModel"],
        "classifier_dropout": 0.0,
        "d_ff": c["d_ff"],
        "d_kv": c["d_kv"],
        "d_model": c["d_model"],
        "decoder_start_token_id": 0,
        "dense_act_fn": "gelu_new",
        "dropout_rate": 0.1,
        "eos_token_id": 1,
        "feed_forward_proj": "gated-gelu",
        "initializer_factor": 1.0,
        "is_encoder_decoder": True,
        "is_gated_act": True,
        "layer_norm_epsilon": c["layer_norm_epsilon"],
        "model_type": "t5",
        "num_decoder_layers": c["num_layers"],
        "num_heads": c["num_heads"],
        "num_layers": c["num_layers"],
        "pad_token_id": 0,
        "relative_attention_max_distance": c["relative_attention_max_distance"],
        "relative_attention_num_buckets": c["relative_attention_num_buckets"],
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
        "use_cache": True,
        "vocab_size": c["vocab_size"],
    }


def export_t5_encoder(module, path):
    """T5EncoderOnnxConfig: input_ids int64 {0: batch_size, 1: sequence_length} -> last_hidden_state (same axes)."""
    from flow_export import export_checked
    seq = {0: "batch_size", 1: "sequence_length"}
    ids = torch.tensor([[4, 423, 3, 6, 4, 114, 1, 0, 0, 0, 0, 0]] * 2, dtype=torch.int64)
    export_checked(module, (ids,), path, ["input_ids"], ["last_hidden_state"],
                   {"input_ids": seq, "last_hidden_state": seq})
