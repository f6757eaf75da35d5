"""Tiny Qwen-Image-family networks (PyTorch), written for this project. Parameter names follow diffusers'
QwenImageTransformer2DModel / AutoencoderKLQwenImage and transformers' Qwen2 so a reader can map them across;
the sizes are tiny and the VAE is 2-D inside (5-D only at its edges, as the ONNX convention asks).

- QwenImageTransformer2DModel: MMDiT with Qwen-Image's block (separate img/txt projections, joint attention,
  RMSNorm on q/k, rotary on q/k from tables given as inputs, adaLN-style modulation from the timestep).
- Qwen2TextEncoder: Qwen2-style decoder (RMSNorm, 1-D rotary, causal GQA self-attention, SwiGLU MLP) over real
  Qwen2.5 ids, remapped in the graph to a small vocabulary.
- AutoencoderKLQwenImage: 16-channel conv VAE, factor 8.
- qwen_rope_tables: the rotary tables of diffusers' QwenEmbedRope, as (cos, sin) of shape (L, head_dim / 2).
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

QWEN_VOCAB = 151665          # 151,643 byte-level BPE ids + 22 added special tokens


# ================================================================ VAE

def group_norm(ch):
    return nn.GroupNorm(min(8, ch // 4), ch, eps=1e-6)


class QwenImageResidualBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1, self.conv1 = group_norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2, self.conv2 = group_norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return self.conv_shortcut(x) + h


class QwenImageEncoder(nn.Module):
    """RGB (B, 3, H, W) -> (B, 2*z_dim, H/8, W/8). Space-to-depth by 4 first, so no convolution runs at full
    resolution (CPU training must be cheap)."""

    def __init__(self, z_dim=16, ch=(48, 64)):
        super().__init__()
        self.unshuffle = nn.PixelUnshuffle(4)
        self.conv_in = nn.Conv2d(48, ch[0], 3, padding=1)
        self.down_blocks = nn.ModuleList([QwenImageResidualBlock(ch[0], ch[0]),
                                          nn.Conv2d(ch[0], ch[1], 3, stride=2, padding=1),
                                          QwenImageResidualBlock(ch[1], ch[1])])
        self.mid_block = QwenImageResidualBlock(ch[1], ch[1])
        self.norm_out = group_norm(ch[1])
        self.conv_out = nn.Conv2d(ch[1], 2 * z_dim, 3, padding=1)

    def forward(self, x):
        h = self.conv_in(self.unshuffle(x))
        for blk in self.down_blocks:
            h = blk(h)
        h = self.mid_block(h)
        return self.conv_out(F.silu(self.norm_out(h)))


class QwenImageDecoder(nn.Module):
    """(B, z_dim, h, w) -> RGB (B, 3, 8h, 8w); the last stage is depth-to-space by 2."""

    def __init__(self, z_dim=16, ch=(96, 64, 32)):
        super().__init__()
        self.conv_in = nn.Conv2d(z_dim, ch[0], 3, padding=1)
        self.mid_block = QwenImageResidualBlock(ch[0], ch[0])
        self.up_blocks = nn.ModuleList([
            nn.Sequential(QwenImageResidualBlock(ch[0], ch[0]), nn.Upsample(scale_factor=2.0, mode="nearest"),
                          nn.Conv2d(ch[0], ch[1], 3, padding=1)),
            nn.Sequential(QwenImageResidualBlock(ch[1], ch[1]), nn.Upsample(scale_factor=2.0, mode="nearest"),
                          nn.Conv2d(ch[1], ch[2], 3, padding=1)),
            nn.Sequential(QwenImageResidualBlock(ch[2], ch[2]))])
        self.norm_out = group_norm(ch[2])
        self.conv_out = nn.Conv2d(ch[2], 12, 3, padding=1)
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, z):
        h = self.mid_block(self.conv_in(z))
        for blk in self.up_blocks:
            h = blk(h)
        return self.shuffle(self.conv_out(F.silu(self.norm_out(h))))


class AutoencoderKLQwenImage(nn.Module):
    """encoder -> quant_conv (mean || log-variance); post_quant_conv -> decoder. 4-D inside; encode5d/decode5d
    take and return the (B, C, 1, H, W) tensors of the real Qwen-Image VAE."""

    def __init__(self, z_dim=16):
        super().__init__()
        self.z_dim = z_dim
        self.encoder = QwenImageEncoder(z_dim)
        self.quant_conv = nn.Conv2d(2 * z_dim, 2 * z_dim, 1)
        self.post_quant_conv = nn.Conv2d(z_dim, z_dim, 1)
        self.decoder = QwenImageDecoder(z_dim)

    def encode(self, x):
        return self.quant_conv(self.encoder(x))

    def decode(self, z):
        return self.decoder(self.post_quant_conv(z))

    def encode5d(self, sample):
        return self.encode(sample[:, :, 0]).unsqueeze(2)

    def decode5d(self, latent_sample):
        return self.decode(latent_sample[:, :, 0]).unsqueeze(2)


class VaeEncoderGraph(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, sample):
        return self.vae.encode5d(sample)


class VaeDecoderGraph(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent_sample):
        return self.vae.decode5d(latent_sample)


# ================================================================ shared pieces

class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight, in float32 (diffusers' RMSNorm and Qwen2RMSNorm)."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        # everything here is float32 already; no casts (torch 1.13 exports a dangling Cast for x.float().to())
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


class LayerNorm(nn.Module):
    """LayerNorm without affine parameters (nn.LayerNorm(elementwise_affine=False)), written out because torch
    1.13 exports that case as a LayerNormalization node with an empty scale input, which ONNX rejects."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        var = (x - mu).pow(2).mean(-1, keepdim=True)
        return (x - mu) * torch.rsqrt(var + self.eps)


def apply_rotary_pairs(x, cos, sin):
    """diffusers' apply_rotary_emb_qwen(use_real=False): adjacent pairs (x[2i], x[2i+1]) of each head form a
    complex number multiplied by cos + i sin. x (B, L, H, D); cos, sin (L, D/2)."""
    b, l, h, d = x.shape
    x = x.reshape(b, l, h, d // 2, 2)
    re, im = x[..., 0], x[..., 1]
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    return torch.stack([re * c - im * s, re * s + im * c], dim=-1).reshape(b, l, h, d)


# ================================================================ rotary tables (diffusers' QwenEmbedRope)

def _rope_angles(index, dim, theta):
    """rope_params: outer(index, 1 / theta^(arange(0, dim, 2) / dim)), float32 like diffusers."""
    inv = 1.0 / torch.pow(torch.tensor(float(theta)), torch.arange(0, dim, 2).to(torch.float32).div(dim))
    return torch.outer(index.to(torch.float32), inv)


def qwen_rope_tables(frame, height, width, txt_len, axes_dims=(8, 12, 12), theta=10000, scale_rope=True):
    """The (image, text) rotary tables of diffusers' QwenEmbedRope for one picture of (frame, height, width)
    patches (height = H/16, width = W/16) and txt_len text tokens, each as (cos, sin) float32 of shape
    (L, sum(axes_dims) / 2). Image token order: frame, row, column (row-major, as the packed latents).
    With scale_rope the row positions are -(h - h//2) .. h//2 - 1 (same for columns); the frame axis uses 0..f-1;
    text token j gets position m + j on all three axes, m = max(h//2, w//2) (max(h, w) without scale_rope)."""
    d0, d1, d2 = axes_dims

    def axis_positions(n):
        if scale_rope:
            return torch.cat([torch.arange(-(n - n // 2), 0), torch.arange(0, n // 2)])
        return torch.arange(n)

    f_ang = _rope_angles(torch.arange(frame), d0, theta)              # (f, d0/2)
    h_ang = _rope_angles(axis_positions(height), d1, theta)           # (h, d1/2)
    w_ang = _rope_angles(axis_positions(width), d2, theta)            # (w, d2/2)
    img = torch.cat([f_ang[:, None, None, :].expand(frame, height, width, -1),
                     h_ang[None, :, None, :].expand(frame, height, width, -1),
                     w_ang[None, None, :, :].expand(frame, height, width, -1)], dim=-1).reshape(frame * height * width, -1)
    start = max(height // 2, width // 2) if scale_rope else max(height, width)
    t = torch.arange(start, start + txt_len)
    txt = torch.cat([_rope_angles(t, d, theta) for d in axes_dims], dim=-1)
    # diffusers builds torch.polar(1, angle) in complex64: real = cos, imag = sin of the float32 angle
    return (torch.cos(img), torch.sin(img)), (torch.cos(txt), torch.sin(txt))


# ================================================================ transformer (MMDiT)

class Timesteps(nn.Module):
    """diffusers' Timesteps(256, flip_sin_to_cos=True, downscale_freq_shift=0, scale=1000): [cos, sin]."""

    def __init__(self, num_channels=256, scale=1000.0):
        super().__init__()
        self.num_channels, self.scale = num_channels, scale

    def forward(self, t):
        half = self.num_channels // 2
        exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half
        emb = self.scale * (t.float()[:, None] * torch.exp(exponent)[None, :])
        return torch.cat([torch.cos(emb), torch.sin(emb)], dim=-1)


class TimestepEmbedding(nn.Module):
    def __init__(self, cin, dim):
        super().__init__()
        self.linear_1, self.linear_2 = nn.Linear(cin, dim), nn.Linear(dim, dim)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


class QwenTimestepProjEmbeddings(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.time_proj = Timesteps(256, 1000.0)
        self.timestep_embedder = TimestepEmbedding(256, dim)

    def forward(self, timestep):
        return self.timestep_embedder(self.time_proj(timestep))


class FeedForward(nn.Module):
    """net.0.proj (Linear dim -> 4 dim) + tanh-GELU, net.2 (Linear 4 dim -> dim), as diffusers' FeedForward."""

    class _Gelu(nn.Module):
        def __init__(self, cin, cout):
            super().__init__()
            self.proj = nn.Linear(cin, cout)

        def forward(self, x):
            return F.gelu(self.proj(x), approximate="tanh")

    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.ModuleList([self._Gelu(dim, dim * mult), nn.Identity(), nn.Linear(dim * mult, dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class JointAttention(nn.Module):
    """diffusers' Attention with added_kv_proj_dim and QwenDoubleStreamAttnProcessor2_0: q/k/v per stream,
    RMSNorm on q and k per head, rotary, one softmax over [text, image], separate output projections."""

    def __init__(self, dim, heads, head_dim):
        super().__init__()
        self.heads, self.head_dim = heads, head_dim
        inner = heads * head_dim
        self.to_q, self.to_k, self.to_v = nn.Linear(dim, inner), nn.Linear(dim, inner), nn.Linear(dim, inner)
        self.add_q_proj, self.add_k_proj, self.add_v_proj = (nn.Linear(dim, inner), nn.Linear(dim, inner),
                                                             nn.Linear(dim, inner))
        self.norm_q, self.norm_k = RMSNorm(head_dim), RMSNorm(head_dim)
        self.norm_added_q, self.norm_added_k = RMSNorm(head_dim), RMSNorm(head_dim)
        self.to_out = nn.ModuleList([nn.Linear(inner, dim)])
        self.to_add_out = nn.Linear(inner, dim)

    def forward(self, img, txt, txt_mask, img_cos, img_sin, txt_cos, txt_sin):
        b, li, _ = img.shape
        lt = txt.shape[1]
        split = lambda x, n: x.reshape(b, n, self.heads, self.head_dim)
        iq, ik, iv = split(self.to_q(img), li), split(self.to_k(img), li), split(self.to_v(img), li)
        tq, tk, tv = split(self.add_q_proj(txt), lt), split(self.add_k_proj(txt), lt), split(self.add_v_proj(txt), lt)
        iq, ik = self.norm_q(iq), self.norm_k(ik)
        tq, tk = self.norm_added_q(tq), self.norm_added_k(tk)
        iq, ik = apply_rotary_pairs(iq, img_cos, img_sin), apply_rotary_pairs(ik, img_cos, img_sin)
        tq, tk = apply_rotary_pairs(tq, txt_cos, txt_sin), apply_rotary_pairs(tk, txt_cos, txt_sin)
        q = torch.cat([tq, iq], 1).transpose(1, 2)                  # (B, H, Lt + Li, D)
        k = torch.cat([tk, ik], 1).transpose(1, 2)
        v = torch.cat([tv, iv], 1).transpose(1, 2)
        s = q @ k.transpose(-1, -2) * (self.head_dim ** -0.5)
        # key mask: text padding is never attended to; image tokens always are
        keep = torch.cat([txt_mask.bool(), torch.ones_like(img[:, :, 0], dtype=torch.bool)], 1)[:, None, None, :]
        s = s.masked_fill(~keep, float("-inf"))
        o = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(b, lt + li, -1)
        return self.to_out[0](o[:, lt:]), self.to_add_out(o[:, :lt])


class QwenImageTransformerBlock(nn.Module):
    def __init__(self, dim, heads, head_dim, eps=1e-6):
        super().__init__()
        self.img_mod = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))
        self.img_norm1 = LayerNorm(dim, eps)
        self.attn = JointAttention(dim, heads, head_dim)
        self.img_norm2 = LayerNorm(dim, eps)
        self.img_mlp = FeedForward(dim)
        self.txt_mod = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))
        self.txt_norm1 = LayerNorm(dim, eps)
        self.txt_norm2 = LayerNorm(dim, eps)
        self.txt_mlp = FeedForward(dim)

    @staticmethod
    def modulate(x, params):
        shift, scale, gate = params.chunk(3, dim=-1)
        return x * (1 + scale[:, None]) + shift[:, None], gate[:, None]

    def forward(self, img, txt, txt_mask, temb, rope):
        img_mod1, img_mod2 = self.img_mod(temb).chunk(2, dim=-1)
        txt_mod1, txt_mod2 = self.txt_mod(temb).chunk(2, dim=-1)
        im, ig1 = self.modulate(self.img_norm1(img), img_mod1)
        tm, tg1 = self.modulate(self.txt_norm1(txt), txt_mod1)
        ia, ta = self.attn(im, tm, txt_mask, *rope)
        img = img + ig1 * ia
        txt = txt + tg1 * ta
        im, ig2 = self.modulate(self.img_norm2(img), img_mod2)
        img = img + ig2 * self.img_mlp(im)
        tm, tg2 = self.modulate(self.txt_norm2(txt), txt_mod2)
        txt = txt + tg2 * self.txt_mlp(tm)
        return txt, img


class AdaLayerNormContinuous(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.linear = nn.Linear(dim, 2 * dim)
        self.norm = LayerNorm(dim, eps)

    def forward(self, x, emb):
        scale, shift = self.linear(F.silu(emb)).chunk(2, dim=1)
        return self.norm(x) * (1 + scale)[:, None] + shift[:, None]


class QwenImageTransformer2DModel(nn.Module):
    def __init__(self, patch_size=2, in_channels=64, out_channels=16, num_layers=4, attention_head_dim=32,
                 num_attention_heads=4, joint_attention_dim=64, axes_dims_rope=(8, 12, 12)):
        super().__init__()
        assert sum(axes_dims_rope) == attention_head_dim
        self.config = dict(patch_size=patch_size, in_channels=in_channels, out_channels=out_channels,
                           num_layers=num_layers, attention_head_dim=attention_head_dim,
                           num_attention_heads=num_attention_heads, joint_attention_dim=joint_attention_dim,
                           guidance_embeds=False, axes_dims_rope=list(axes_dims_rope))
        dim = num_attention_heads * attention_head_dim
        self.time_text_embed = QwenTimestepProjEmbeddings(dim)
        self.txt_norm = RMSNorm(joint_attention_dim, eps=1e-6)
        self.img_in = nn.Linear(in_channels, dim)
        self.txt_in = nn.Linear(joint_attention_dim, dim)
        self.transformer_blocks = nn.ModuleList([QwenImageTransformerBlock(dim, num_attention_heads, attention_head_dim)
                                                 for _ in range(num_layers)])
        self.norm_out = AdaLayerNormContinuous(dim)
        self.proj_out = nn.Linear(dim, patch_size * patch_size * out_channels)

    def forward(self, hidden_states, encoder_hidden_states, encoder_hidden_states_mask, timestep,
                image_rotary_cos, image_rotary_sin, text_rotary_cos, text_rotary_sin):
        img = self.img_in(hidden_states)
        txt = self.txt_in(self.txt_norm(encoder_hidden_states))
        temb = self.time_text_embed(timestep)
        rope = (image_rotary_cos, image_rotary_sin, text_rotary_cos, text_rotary_sin)
        for blk in self.transformer_blocks:
            txt, img = blk(img, txt, encoder_hidden_states_mask, temb, rope)
        return self.proj_out(self.norm_out(img, temb))


# ================================================================ text encoder (Qwen2-style decoder)

def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat([-b, a], dim=-1)


class Qwen2Attention(nn.Module):
    def __init__(self, hidden, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, hidden // heads
        self.q_proj = nn.Linear(hidden, heads * self.head_dim)
        self.k_proj = nn.Linear(hidden, kv_heads * self.head_dim)
        self.v_proj = nn.Linear(hidden, kv_heads * self.head_dim)
        self.o_proj = nn.Linear(heads * self.head_dim, hidden, bias=False)

    def forward(self, x, cos, sin, bias):
        b, l, _ = x.shape
        q = self.q_proj(x).reshape(b, l, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).reshape(b, l, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).reshape(b, l, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin       # cos, sin (B, 1, L, D)
        rep = self.heads // self.kv_heads           # grouped-query attention: each kv head serves `rep` q heads
        k = k[:, :, None].expand(b, self.kv_heads, rep, l, self.head_dim).reshape(b, self.heads, l, self.head_dim)
        v = v[:, :, None].expand(b, self.kv_heads, rep, l, self.head_dim).reshape(b, self.heads, l, self.head_dim)
        s = q @ k.transpose(-1, -2) * (self.head_dim ** -0.5) + bias
        o = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(b, l, -1)
        return self.o_proj(o)


class Qwen2MLP(nn.Module):
    def __init__(self, hidden, inter):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, inter, bias=False)
        self.up_proj = nn.Linear(hidden, inter, bias=False)
        self.down_proj = nn.Linear(inter, hidden, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Qwen2DecoderLayer(nn.Module):
    def __init__(self, hidden, heads, kv_heads, inter, eps):
        super().__init__()
        self.input_layernorm = RMSNorm(hidden, eps)
        self.self_attn = Qwen2Attention(hidden, heads, kv_heads)
        self.post_attention_layernorm = RMSNorm(hidden, eps)
        self.mlp = Qwen2MLP(hidden, inter)

    def forward(self, x, cos, sin, bias):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, bias)
        return x + self.mlp(self.post_attention_layernorm(x))


class Qwen2Model(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, kv_heads, inter, eps, rope_theta):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, hidden)
        self.layers = nn.ModuleList([Qwen2DecoderLayer(hidden, heads, kv_heads, inter, eps) for _ in range(layers)])
        self.norm = RMSNorm(hidden, eps)
        self.head_dim, self.rope_theta = hidden // heads, rope_theta

    def forward(self, ids, attention_mask):
        b, l = ids.shape
        mask = attention_mask.long()
        # transformers' position ids for a padded batch: cumulative count of real tokens, pads at 1
        pos = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1).float()
        inv = 1.0 / (self.rope_theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))
        ang = pos[:, :, None] * inv[None, None, :]
        ang = torch.cat([ang, ang], -1)[:, None]                                   # (B, 1, L, D)
        cos, sin = torch.cos(ang), torch.sin(ang)
        i = torch.arange(l)
        causal = i[None, :] <= i[:, None]                                          # (L, L) query >= key
        allowed = causal[None, None] & mask.bool()[:, None, None, :]
        bias = (~allowed).float() * -1e9
        h = self.embed_tokens(ids)
        for layer in self.layers:
            h = layer(h, cos, sin, bias)
        return self.norm(h)


class Qwen2TextEncoder(nn.Module):
    """Takes real Qwen2.5 ids; a constant table (151,665 int32 entries) maps them to a small vocabulary of the
    ids that occur in the training captions and template, anything else to slot 0 (UNK)."""

    def __init__(self, known_ids, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                 intermediate_size=128, rms_norm_eps=1e-6, rope_theta=10000.0, vocab_size=QWEN_VOCAB):
        """known_ids None: a real checkpoint's text model, one embedding row per id (vocab_size rows), no remap."""
        super().__init__()
        self.remapped = known_ids is not None
        if self.remapped:
            table = torch.zeros(QWEN_VOCAB, dtype=torch.int32)
            for slot, tid in enumerate(sorted(set(known_ids)), start=1):
                table[tid] = slot
            self.register_buffer("vocab_remap", table)
            self.known_ids = sorted(set(known_ids))
            rows = len(self.known_ids) + 1
        else:
            rows = vocab_size
        self.config = dict(vocab_size=vocab_size, internal_vocab_size=rows, hidden_size=hidden_size,
                           num_hidden_layers=num_hidden_layers, num_attention_heads=num_attention_heads,
                           num_key_value_heads=num_key_value_heads, intermediate_size=intermediate_size,
                           rms_norm_eps=rms_norm_eps, rope_theta=rope_theta, hidden_act="silu")
        self.model = Qwen2Model(rows, hidden_size, num_hidden_layers, num_attention_heads,
                                num_key_value_heads, intermediate_size, rms_norm_eps, rope_theta)

    def forward(self, input_ids, attention_mask):
        if self.remapped:
            ids = self.vocab_remap[input_ids.long().clamp(0, QWEN_VOCAB - 1)].long()
        else:
            ids = input_ids.long()
        return self.model(ids, attention_mask)


# ================================================================ latents packing, scheduler

def pack_latents(z):
    """(B, C, 1, h, w) or (B, C, h, w) -> (B, (h/2)(w/2), 4C), as QwenImagePipeline._pack_latents."""
    if z.dim() == 5:
        z = z[:, :, 0]
    b, c, h, w = z.shape
    return z.view(b, c, h // 2, 2, w // 2, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // 2) * (w // 2), 4 * c)


def unpack_latents(x, h, w):
    """(B, L, 4C) -> (B, C, 1, h, w) for latent size h x w (pixels / 8)."""
    b, _, ch = x.shape
    return x.view(b, h // 2, w // 2, ch // 4, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(b, ch // 4, 1, h, w)


SCHEDULER_CONFIG = {
    "_class_name": "FlowMatchEulerDiscreteScheduler",
    "_diffusers_version": "0.34.0.dev0",
    "base_image_seq_len": 256,
    "base_shift": 0.5,
    "invert_sigmas": False,
    "max_image_seq_len": 8192,
    "max_shift": 0.9,
    "num_train_timesteps": 1000,
    "shift": 1.0,
    "shift_terminal": 0.02,
    "stochastic_sampling": False,
    "time_shift_type": "exponential",
    "use_beta_sigmas": False,
    "use_dynamic_shifting": True,
    "use_exponential_sigmas": False,
    "use_karras_sigmas": False,
}


def qwen_sigmas(steps, image_seq_len, cfg=SCHEDULER_CONFIG):
    """FlowMatchEulerDiscreteScheduler.set_timesteps(sigmas=linspace(1, 1/N, N), mu) as QwenImagePipeline
    calls it, in float32 like diffusers; returns N + 1 sigmas (the last is 0)."""
    m = (cfg["max_shift"] - cfg["base_shift"]) / (cfg["max_image_seq_len"] - cfg["base_image_seq_len"])
    b = cfg["base_shift"] - m * cfg["base_image_seq_len"]
    mu = image_seq_len * m + b
    s = np.linspace(1.0, 1.0 / steps, steps).astype(np.float32)
    s = (math.exp(mu) / (math.exp(mu) + (1 / s - 1) ** 1.0)).astype(np.float32)
    one_minus = 1 - s
    k = one_minus[-1] / (1 - cfg["shift_terminal"])
    s = (1 - one_minus / k).astype(np.float32)
    return np.append(s, np.float32(0.0)).astype(np.float32), mu
