"""Tiny FluxTransformer2DModel (FLUX.1-dev with guidance_embeds, FLUX.1-schnell without), random weights.

Written from diffusers' models/transformers/transformer_flux.py (FluxTransformer2DModel, FluxTransformerBlock,
FluxSingleTransformerBlock, FluxAttention + FluxAttnProcessor, FluxPosEmbed), models/embeddings.py
(CombinedTimestep[Guidance]TextProjEmbeddings, Timesteps, TimestepEmbedding, PixArtAlphaTextProjection,
get_1d_rotary_pos_embed, apply_rotary_emb), models/normalization.py (AdaLayerNormZero, AdaLayerNormZeroSingle,
AdaLayerNormContinuous) and models/attention.py (FeedForward "gelu-approximate"), not copied; parameter names follow
theirs so the state dict maps onto diffusers'.

forward(hidden_states (B, L, 64), encoder_hidden_states (B, T, 96), pooled_projections (B, 32), timestep (B,),
img_ids int64 (L, 3), txt_ids int64 (T, 3)[, guidance (B,)]) -> (B, L, 64): optimum's FluxTransformerOnnxConfig
I/O, inputs in the forward signature's order (optimum's ordered_inputs). timestep and guidance are the pipeline's
t / 1000 and guidance_scale; the model multiplies both by 1000 inside.
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tiny-sdxl"))
from sdxl_modules import TimestepEmbedding, randomize, timestep_embedding  # noqa: E402

SEED_DEV = 20260423
SEED_SCHNELL = 20260424
FLUX = dict(patch_size=1, in_channels=64, out_channels=None, num_layers=1, num_single_layers=1,
            attention_head_dim=16, num_attention_heads=2, joint_attention_dim=96, pooled_projection_dim=32,
            axes_dims_rope=(4, 6, 6))
THETA = 10000
TIME_PROJ_DIM = 256


class RMSNorm(nn.Module):
    """torch.nn.RMSNorm(dim, eps) with a weight (diffusers' norm_q / norm_k / norm_added_q / norm_added_k)."""

    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def layer_norm(x, dim, eps=1e-6):
    """nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6), written out (mean, biased variance over the last axis
    of width dim): torch 1.13 exports a weightless F.layer_norm at opset 17 as an invalid LayerNormalization."""
    mean = x.mean(-1, keepdim=True)
    var = (x - mean).pow(2).mean(-1, keepdim=True)
    return (x - mean) * torch.rsqrt(var + eps)


def rope(ids, axes_dim, theta=THETA):
    """FluxPosEmbed: per axis get_1d_rotary_pos_embed(use_real, repeat_interleave_real, float64 frequencies) of the
    float positions, cos and sin concatenated over the axes -> (S, head_dim) float32 each. The interleave
    (c0 c0 c1 c1 ...) is written as stack + reshape, the same values as repeat_interleave(2, dim=1).

    cos is computed as sin(angle + pi/2), still in float64: diffusers computes the angles in float64 on CPU
    (maybe_adjust_dtype_for_device), so a faithful export has Cos on tensor(double), which the CPU EP of ONNX
    Runtime 1.24 does not implement (NOT_IMPLEMENTED "Cos(7)" at session creation; onnxruntime PR #28975 adds it),
    while Sin on double exists. The float32 results equal cos's (the float64 difference is ~1e-16)."""
    pos = ids.float()
    cos_out, sin_out = [], []
    for i, dim in enumerate(axes_dim):
        freqs = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
        angles = pos[:, i].to(torch.float64)[:, None] * freqs[None, :]          # torch.outer, in float64
        n = angles.shape[0]
        cos, sin = torch.sin(angles + math.pi / 2), torch.sin(angles)
        cos_out.append(torch.stack([cos, cos], dim=-1).reshape(n, dim).float())
        sin_out.append(torch.stack([sin, sin], dim=-1).reshape(n, dim).float())
    return torch.cat(cos_out, dim=-1), torch.cat(sin_out, dim=-1)


def apply_rotary_emb(x, cos, sin):
    """apply_rotary_emb(use_real, unbind dim -1, sequence_dim 1) on (B, S, H, D): pairs (x0, x1) -> (-x1, x0)."""
    b, s, h, d = x.shape
    pairs = x.reshape(b, s, h, d // 2, 2)
    x_real, x_imag = pairs[..., 0], pairs[..., 1]
    rotated = torch.stack([-x_imag, x_real], dim=-1).reshape(b, s, h, d)
    return x * cos[None, :, None, :] + rotated * sin[None, :, None, :]


def attention(q, k, v):
    """scaled_dot_product_attention on (B, S, H, D) (diffusers' dispatch_attention_fn layout), scale 1/sqrt(D),
    no mask; returns (B, S, H * D)."""
    b, s, h, d = q.shape
    q, k, v = (t.transpose(1, 2) for t in (q, k, v))
    w = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * d ** -0.5, dim=-1)
    return torch.matmul(w, v).transpose(1, 2).reshape(b, s, h * d)


class FluxAttention(nn.Module):
    def __init__(self, dim, heads, head_dim, added_kv_proj_dim=None, pre_only=False, eps=1e-6):
        super().__init__()
        self.heads, self.head_dim = heads, head_dim
        inner = heads * head_dim
        self.norm_q = RMSNorm(head_dim, eps)
        self.norm_k = RMSNorm(head_dim, eps)
        self.to_q = nn.Linear(dim, inner)
        self.to_k = nn.Linear(dim, inner)
        self.to_v = nn.Linear(dim, inner)
        self.pre_only = pre_only
        if not pre_only:
            self.to_out = nn.ModuleList([nn.Linear(inner, dim), nn.Dropout(0.0)])
        self.added = added_kv_proj_dim is not None
        if self.added:
            self.norm_added_q = RMSNorm(head_dim, eps)
            self.norm_added_k = RMSNorm(head_dim, eps)
            self.add_q_proj = nn.Linear(added_kv_proj_dim, inner)
            self.add_k_proj = nn.Linear(added_kv_proj_dim, inner)
            self.add_v_proj = nn.Linear(added_kv_proj_dim, inner)
            self.to_add_out = nn.Linear(inner, dim)

    def heads_of(self, x):
        """unflatten(-1, (heads, head_dim)): (B, S, H * D) -> (B, S, H, D)."""
        return x.view(x.shape[0], x.shape[1], self.heads, self.head_dim)

    def forward(self, x, context, cos, sin):
        q = self.norm_q(self.heads_of(self.to_q(x)))
        k = self.norm_k(self.heads_of(self.to_k(x)))
        v = self.heads_of(self.to_v(x))
        if self.added:
            # the text stream first: [txt, img], the order of cat(txt_ids, img_ids)
            q = torch.cat([self.norm_added_q(self.heads_of(self.add_q_proj(context))), q], dim=1)
            k = torch.cat([self.norm_added_k(self.heads_of(self.add_k_proj(context))), k], dim=1)
            v = torch.cat([self.heads_of(self.add_v_proj(context)), v], dim=1)
        out = attention(apply_rotary_emb(q, cos, sin), apply_rotary_emb(k, cos, sin), v)
        if not self.added:
            return out                                      # single blocks: pre_only, no to_out
        t = context.shape[1]
        return self.to_out[0](out[:, t:]), self.to_add_out(out[:, :t])


class AdaLayerNormZero(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self.linear = nn.Linear(dim, 6 * dim)

    def forward(self, x, emb):
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.linear(F.silu(emb)).chunk(6, dim=1)
        return layer_norm(x, self.dim) * (1 + scale_msa[:, None]) + shift_msa[:, None], gate_msa, shift_mlp, scale_mlp, gate_mlp


class AdaLayerNormZeroSingle(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self.linear = nn.Linear(dim, 3 * dim)

    def forward(self, x, emb):
        shift_msa, scale_msa, gate_msa = self.linear(F.silu(emb)).chunk(3, dim=1)
        return layer_norm(x, self.dim) * (1 + scale_msa[:, None]) + shift_msa[:, None], gate_msa


class AdaLayerNormContinuous(nn.Module):
    """norm_out: elementwise_affine False, eps 1e-6; the projection's first half is the SCALE, the second the shift."""

    def __init__(self, dim, cond_dim):
        super().__init__()
        self.dim = dim
        self.linear = nn.Linear(cond_dim, 2 * dim)

    def forward(self, x, emb):
        scale, shift = self.linear(F.silu(emb)).chunk(2, dim=1)
        return layer_norm(x, self.dim) * (1 + scale)[:, None, :] + shift[:, None, :]


class GELU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner)

    def forward(self, x):
        return F.gelu(self.proj(x), approximate="tanh")


class FeedForward(nn.Module):
    """FeedForward(dim, dim_out=dim, activation_fn="gelu-approximate", mult 4): net = [GELU(proj), Dropout, Linear]."""

    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.ModuleList([GELU(dim, dim * mult), nn.Dropout(0.0), nn.Linear(dim * mult, dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class FluxTransformerBlock(nn.Module):
    """Double stream: AdaLayerNormZero per stream, joint attention, gated residuals, LayerNorm + FF per stream."""

    def __init__(self, dim, heads, head_dim):
        super().__init__()
        self.dim = dim
        self.norm1 = AdaLayerNormZero(dim)
        self.norm1_context = AdaLayerNormZero(dim)
        self.attn = FluxAttention(dim, heads, head_dim, added_kv_proj_dim=dim)
        self.ff = FeedForward(dim)
        self.ff_context = FeedForward(dim)

    def forward(self, x, context, temb, cos, sin):
        nx, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.norm1(x, temb)
        nc, c_gate_msa, c_shift_mlp, c_scale_mlp, c_gate_mlp = self.norm1_context(context, temb)
        attn_out, context_attn_out = self.attn(nx, nc, cos, sin)
        x = x + gate_msa.unsqueeze(1) * attn_out
        nx = layer_norm(x, self.dim) * (1 + scale_mlp[:, None]) + shift_mlp[:, None]          # norm2
        x = x + gate_mlp.unsqueeze(1) * self.ff(nx)
        context = context + c_gate_msa.unsqueeze(1) * context_attn_out
        nc = layer_norm(context, self.dim) * (1 + c_scale_mlp[:, None]) + c_shift_mlp[:, None]  # norm2_context
        context = context + c_gate_mlp.unsqueeze(1) * self.ff_context(nc)
        return context, x


class FluxSingleTransformerBlock(nn.Module):
    """Single stream over [txt, img]: AdaLayerNormZeroSingle, attention and MLP in parallel, proj_out, gated residual."""

    def __init__(self, dim, heads, head_dim, mlp_ratio=4.0):
        super().__init__()
        mlp = int(dim * mlp_ratio)
        self.norm = AdaLayerNormZeroSingle(dim)
        self.proj_mlp = nn.Linear(dim, mlp)
        self.proj_out = nn.Linear(dim + mlp, dim)
        self.attn = FluxAttention(dim, heads, head_dim, pre_only=True)

    def forward(self, x, context, temb, cos, sin):
        t = context.shape[1]
        h = torch.cat([context, x], dim=1)
        nh, gate = self.norm(h, temb)
        mlp = F.gelu(self.proj_mlp(nh), approximate="tanh")
        out = self.proj_out(torch.cat([self.attn(nh, None, cos, sin), mlp], dim=2))
        h = h + gate.unsqueeze(1) * out
        return h[:, :t], h[:, t:]


class PixArtAlphaTextProjection(nn.Module):
    def __init__(self, cin, dim):
        super().__init__()
        self.linear_1 = nn.Linear(cin, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))                 # act_fn "silu"


class TimeTextEmbed(nn.Module):
    """CombinedTimestepGuidanceTextProjEmbeddings (guidance) or CombinedTimestepTextProjEmbeddings: Timesteps(256,
    flip_sin_to_cos, shift 0) -> TimestepEmbedding for the timestep (and the guidance), + text_embedder(pooled)."""

    def __init__(self, dim, pooled_dim, guidance):
        super().__init__()
        self.timestep_embedder = TimestepEmbedding(TIME_PROJ_DIM, dim)
        if guidance:
            self.guidance_embedder = TimestepEmbedding(TIME_PROJ_DIM, dim)
        self.text_embedder = PixArtAlphaTextProjection(pooled_dim, dim)

    def forward(self, timestep, guidance, pooled):
        emb = self.timestep_embedder(timestep_embedding(timestep, TIME_PROJ_DIM))
        if guidance is not None:
            emb = emb + self.guidance_embedder(timestep_embedding(guidance, TIME_PROJ_DIM))
        return emb + self.text_embedder(pooled)


class FluxTransformer2DModel(nn.Module):
    def __init__(self, guidance_embeds, cfg=FLUX):
        super().__init__()
        self.cfg = dict(cfg, guidance_embeds=guidance_embeds)
        self.guidance_embeds = guidance_embeds
        heads, head_dim = cfg["num_attention_heads"], cfg["attention_head_dim"]
        inner = heads * head_dim
        out_channels = cfg["out_channels"] or cfg["in_channels"]
        self.time_text_embed = TimeTextEmbed(inner, cfg["pooled_projection_dim"], guidance_embeds)
        self.context_embedder = nn.Linear(cfg["joint_attention_dim"], inner)
        self.x_embedder = nn.Linear(cfg["in_channels"], inner)
        self.transformer_blocks = nn.ModuleList(
            [FluxTransformerBlock(inner, heads, head_dim) for _ in range(cfg["num_layers"])])
        self.single_transformer_blocks = nn.ModuleList(
            [FluxSingleTransformerBlock(inner, heads, head_dim) for _ in range(cfg["num_single_layers"])])
        self.norm_out = AdaLayerNormContinuous(inner, inner)
        self.proj_out = nn.Linear(inner, cfg["patch_size"] ** 2 * out_channels)

    def run(self, hidden_states, encoder_hidden_states, pooled_projections, timestep, img_ids, txt_ids, guidance):
        x = self.x_embedder(hidden_states)
        timestep = timestep.to(x.dtype) * 1000
        if guidance is not None:
            guidance = guidance.to(x.dtype) * 1000
        temb = self.time_text_embed(timestep, guidance, pooled_projections)
        context = self.context_embedder(encoder_hidden_states)
        cos, sin = rope(torch.cat([txt_ids, img_ids], dim=0), self.cfg["axes_dims_rope"])
        for block in self.transformer_blocks:
            context, x = block(x, context, temb, cos, sin)
        for block in self.single_transformer_blocks:
            context, x = block(x, context, temb, cos, sin)
        return self.proj_out(self.norm_out(x, temb))


class FluxDev(FluxTransformer2DModel):
    """guidance_embeds true: forward(..., img_ids, txt_ids, guidance)."""

    def __init__(self):
        super().__init__(True)

    def forward(self, hidden_states, encoder_hidden_states, pooled_projections, timestep, img_ids, txt_ids, guidance):
        return self.run(hidden_states, encoder_hidden_states, pooled_projections, timestep, img_ids, txt_ids, guidance)


class FluxSchnell(FluxTransformer2DModel):
    """guidance_embeds false: no guidance input."""

    def __init__(self):
        super().__init__(False)

    def forward(self, hidden_states, encoder_hidden_states, pooled_projections, timestep, img_ids, txt_ids):
        return self.run(hidden_states, encoder_hidden_states, pooled_projections, timestep, img_ids, txt_ids, None)


def build_transformer(variant):
    """The dev or schnell transformer with its fixed random weights."""
    if variant == "dev":
        return randomize(FluxDev(), torch.Generator().manual_seed(SEED_DEV)).eval()
    return randomize(FluxSchnell(), torch.Generator().manual_seed(SEED_SCHNELL)).eval()
