"""Tiny pure-PyTorch stand-ins for Stable Diffusion 3's own networks, with SD3's real structure and I/O.

Written from the published definitions (diffusers `models/transformers/transformer_sd3.py`, `models/attention.py`
JointTransformerBlock and FeedForward, `models/attention_processor.py` Attention / JointAttnProcessor2_0,
`models/embeddings.py` PatchEmbed / get_2d_sincos_pos_embed / CombinedTimestepTextProjEmbeddings /
PixArtAlphaTextProjection, `models/normalization.py` AdaLayerNormZero / AdaLayerNormContinuous), not copied; the
parameter names follow theirs so a reader can map them. The CLIP encoders are tools/tiny-sdxl/sdxl_modules.py's.

- `text_encoder`: CLIPTextModelWithProjection at CLIP-L's structure (tiny-sdxl's first encoder's sizes, width 32,
  quick_gelu) plus `text_projection` 32 -> 32, its own seed (SEED_TEXT_ENCODER).
- `text_encoder_2`: tiny-sdxl's text_encoder_2 itself (same weights, graph copied byte for byte).
- `Sd3Transformer`: SD3Transformer2DModel (SD3 medium: no dual attention, qk_norm None) at toy size.

Run with Debian's /usr/bin/python3 (python3-torch 1.13).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tiny-sdxl"))
import sdxl_modules as M  # noqa: E402

SEED_TEXT_ENCODER = 20260430     # SD3's CLIP-L (with projection); text_encoder_2 is tiny-sdxl's (seed M.SEED)
SEED_TRANSFORMER = 20260431

TEXT_ENCODER = dict(M.TEXT_ENCODER, projection_dim=32)     # CLIP ViT-L/14's structure, projection 32 -> 32
TEXT_ENCODER_2 = M.TEXT_ENCODER_2                          # OpenCLIP bigG's structure, projection 48 -> 40

T5_D_MODEL = 96                  # the shared tiny T5 encoder (tools/tiny-flow-common)
MAX_SEQUENCE_LENGTH = 256        # StableDiffusion3Pipeline's default max_sequence_length

TRANSFORMER = dict(
    sample_size=8, patch_size=2, in_channels=16, out_channels=16, num_layers=2, attention_head_dim=16,
    num_attention_heads=2, joint_attention_dim=T5_D_MODEL, caption_projection_dim=32,
    pooled_projection_dim=TEXT_ENCODER["projection_dim"] + TEXT_ENCODER_2["projection_dim"],   # 32 + 40 = 72
    pos_embed_max_size=12, dual_attention_layers=[], qk_norm=None)
TIME_PROJ_DIM = 256              # CombinedTimestepTextProjEmbeddings: Timesteps(256, flip_sin_to_cos=True, shift 0)


# ---- positional embedding -----------------------------------------------------------------------------------------
def sincos_1d(embed_dim, pos):
    """get_1d_sincos_pos_embed_from_grid (output_type "pt"): omega = 1 / 10000^(k / (D/2)) in float64, [sin, cos]."""
    omega = torch.arange(embed_dim // 2, dtype=torch.float64)
    omega /= embed_dim / 2.0
    omega = 1.0 / 10000 ** omega
    out = torch.outer(pos.reshape(-1).to(torch.float64), omega)
    return torch.cat([torch.sin(out), torch.cos(out)], dim=1)


def sincos_2d(embed_dim, grid_size, base_size, interpolation_scale=1.0):
    """get_2d_sincos_pos_embed (output_type "pt") for a square grid: positions arange(n) / (n / base_size) /
    interpolation_scale in float32; meshgrid(w, h, indexing="xy") stacked, so grid[0] is the column coordinate and
    the FIRST half of each vector encodes the column, the second half the row; row-major (row, column) order."""
    n = grid_size
    grid_h = torch.arange(n, dtype=torch.float32) / (n / base_size) / interpolation_scale
    grid_w = torch.arange(n, dtype=torch.float32) / (n / base_size) / interpolation_scale
    grid = torch.stack(torch.meshgrid(grid_w, grid_h, indexing="xy"), dim=0).reshape(2, 1, n, n)
    return torch.cat([sincos_1d(embed_dim // 2, grid[0]), sincos_1d(embed_dim // 2, grid[1])], dim=1)


class PatchEmbed(nn.Module):
    """PatchEmbed with pos_embed_max_size (SD3): conv patchify -> (B, N, D) + the centre crop of the max-size table
    (cropped_pos_embed: top = (max - h) // 2, left = (max - w) // 2 in patches)."""

    def __init__(self, cfg, embed_dim):
        super().__init__()
        p, self.max_size = cfg["patch_size"], cfg["pos_embed_max_size"]
        self.patch_size = p
        self.proj = nn.Conv2d(cfg["in_channels"], embed_dim, kernel_size=(p, p), stride=p, bias=True)
        table = sincos_2d(embed_dim, self.max_size, base_size=cfg["sample_size"] // p)
        self.register_buffer("pos_embed", table.float().unsqueeze(0), persistent=True)

    def cropped_pos_embed(self, height, width):
        h, w = height // self.patch_size, width // self.patch_size
        top, left = (self.max_size - h) // 2, (self.max_size - w) // 2
        spatial = self.pos_embed.reshape(1, self.max_size, self.max_size, -1)
        spatial = spatial[:, top: top + h, left: left + w, :]
        return spatial.reshape(1, -1, spatial.shape[-1])

    def forward(self, latent):
        height, width = latent.shape[-2:]
        x = self.proj(latent).flatten(2).transpose(1, 2)          # BCHW -> BNC, patches row-major
        return x + self.cropped_pos_embed(height, width)


# ---- conditioning -------------------------------------------------------------------------------------------------
class PixArtAlphaTextProjection(nn.Module):
    def __init__(self, cin, hidden):
        super().__init__()
        self.linear_1 = nn.Linear(cin, hidden)
        self.act_1 = nn.SiLU()
        self.linear_2 = nn.Linear(hidden, hidden)

    def forward(self, x):
        return self.linear_2(self.act_1(self.linear_1(x)))


class CombinedTimestepTextProjEmbeddings(nn.Module):
    """timestep_embedder(Timesteps(256, True, 0)(t)) + text_embedder(pooled); t as given (SD3: 0..1000)."""

    def __init__(self, dim, pooled_dim):
        super().__init__()
        self.timestep_embedder = M.TimestepEmbedding(TIME_PROJ_DIM, dim)
        self.text_embedder = PixArtAlphaTextProjection(pooled_dim, dim)

    def forward(self, timestep, pooled):
        t_emb = self.timestep_embedder(M.timestep_embedding(timestep, TIME_PROJ_DIM, True, 0.0))
        return t_emb + self.text_embedder(pooled)


class AdaLayerNormZero(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.linear = nn.Linear(dim, 6 * dim)
        self.norm = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)

    def forward(self, x, emb):
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.linear(F.silu(emb)).chunk(6, dim=1)
        return self.norm(x) * (1 + scale_msa[:, None]) + shift_msa[:, None], gate_msa, shift_mlp, scale_mlp, gate_mlp


class AdaLayerNormContinuous(nn.Module):
    """linear(silu(c)) -> scale, shift (in that order); LayerNorm without affine, eps 1e-6."""

    def __init__(self, dim, cond_dim):
        super().__init__()
        self.linear = nn.Linear(cond_dim, 2 * dim)
        self.norm = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)

    def forward(self, x, cond):
        scale, shift = self.linear(F.silu(cond)).chunk(2, dim=1)
        return self.norm(x) * (1 + scale)[:, None, :] + shift[:, None, :]


# ---- joint attention block ----------------------------------------------------------------------------------------
class JointAttention(nn.Module):
    """Attention(added_kv_proj_dim=dim, bias=True, context_pre_only) with JointAttnProcessor2_0: one softmax over
    [image tokens; context tokens], split back; to_add_out only when the context stream continues."""

    def __init__(self, dim, heads, head_dim, context_pre_only):
        super().__init__()
        self.heads, self.head_dim = heads, head_dim
        inner = heads * head_dim
        self.to_q = nn.Linear(dim, inner)
        self.to_k = nn.Linear(dim, inner)
        self.to_v = nn.Linear(dim, inner)
        self.add_k_proj = nn.Linear(dim, inner)
        self.add_v_proj = nn.Linear(dim, inner)
        self.add_q_proj = nn.Linear(dim, inner)
        self.to_out = nn.ModuleList([nn.Linear(inner, dim)])
        self.to_add_out = None if context_pre_only else nn.Linear(inner, dim)

    def split(self, x):
        b = x.shape[0]
        return x.view(b, -1, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, context):
        n = x.shape[1]
        q = torch.cat([self.split(self.to_q(x)), self.split(self.add_q_proj(context))], dim=2)
        k = torch.cat([self.split(self.to_k(x)), self.split(self.add_k_proj(context))], dim=2)
        v = torch.cat([self.split(self.to_v(x)), self.split(self.add_v_proj(context))], dim=2)
        w = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * self.head_dim ** -0.5, dim=-1)
        out = torch.matmul(w, v).transpose(1, 2).reshape(x.shape[0], -1, self.heads * self.head_dim)
        img, ctx = out[:, :n], out[:, n:]
        return self.to_out[0](img), (self.to_add_out(ctx) if self.to_add_out is not None else ctx)


class FeedForward(nn.Module):
    """FeedForward(dim, dim_out=dim, activation_fn="gelu-approximate"): net = [GELU(proj, tanh), Dropout, Linear]."""

    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.ModuleList([GeluTanh(dim, dim * mult), nn.Identity(), nn.Linear(dim * mult, dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class GeluTanh(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.proj = nn.Linear(cin, cout)

    def forward(self, x):
        return F.gelu(self.proj(x), approximate="tanh")


class JointTransformerBlock(nn.Module):
    def __init__(self, dim, heads, head_dim, context_pre_only):
        super().__init__()
        self.context_pre_only = context_pre_only
        self.norm1 = AdaLayerNormZero(dim)
        self.norm1_context = AdaLayerNormContinuous(dim, dim) if context_pre_only else AdaLayerNormZero(dim)
        self.attn = JointAttention(dim, heads, head_dim, context_pre_only)
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.ff = FeedForward(dim)
        if not context_pre_only:
            self.norm2_context = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
            self.ff_context = FeedForward(dim)

    def forward(self, x, context, temb):
        nx, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.norm1(x, temb)
        if self.context_pre_only:
            nc = self.norm1_context(context, temb)
        else:
            nc, c_gate_msa, c_shift_mlp, c_scale_mlp, c_gate_mlp = self.norm1_context(context, temb)
        attn, ctx_attn = self.attn(nx, nc)
        x = x + gate_msa.unsqueeze(1) * attn
        h = self.norm2(x) * (1 + scale_mlp[:, None]) + shift_mlp[:, None]
        x = x + gate_mlp.unsqueeze(1) * self.ff(h)
        if self.context_pre_only:
            return None, x
        context = context + c_gate_msa.unsqueeze(1) * ctx_attn
        hc = self.norm2_context(context) * (1 + c_scale_mlp[:, None]) + c_shift_mlp[:, None]
        return context + c_gate_mlp.unsqueeze(1) * self.ff_context(hc), x


class Sd3Transformer(nn.Module):
    """SD3Transformer2DModel. forward(hidden_states, encoder_hidden_states, pooled_projections, timestep) ->
    out_hidden_states, the I/O of optimum's SD3TransformerOnnxConfig (timestep float32 [batch], 0..1000)."""

    def __init__(self, cfg=TRANSFORMER):
        super().__init__()
        self.cfg = cfg
        dim = cfg["num_attention_heads"] * cfg["attention_head_dim"]
        assert dim == cfg["caption_projection_dim"]          # the joint blocks take both streams at `dim`
        self.pos_embed = PatchEmbed(cfg, dim)
        self.time_text_embed = CombinedTimestepTextProjEmbeddings(dim, cfg["pooled_projection_dim"])
        self.context_embedder = nn.Linear(cfg["joint_attention_dim"], cfg["caption_projection_dim"])
        n = cfg["num_layers"]
        self.transformer_blocks = nn.ModuleList([
            JointTransformerBlock(dim, cfg["num_attention_heads"], cfg["attention_head_dim"], i == n - 1)
            for i in range(n)])
        self.norm_out = AdaLayerNormContinuous(dim, dim)
        p = cfg["patch_size"]
        self.proj_out = nn.Linear(dim, p * p * cfg["out_channels"])

    def forward(self, hidden_states, encoder_hidden_states, pooled_projections, timestep):
        height, width = hidden_states.shape[-2:]
        x = self.pos_embed(hidden_states)
        temb = self.time_text_embed(timestep, pooled_projections)
        context = self.context_embedder(encoder_hidden_states)
        for block in self.transformer_blocks:
            context, x = block(x, context, temb)
        x = self.proj_out(self.norm_out(x, temb))
        # unpatchify: (n, h, w, p, q, c) -> einsum "nhwpqc->nchpwq" -> (n, c, h*p, w*q)
        p, c = self.cfg["patch_size"], self.cfg["out_channels"]
        h, w = height // p, width // p
        x = x.reshape(x.shape[0], h, w, p, p, c).permute(0, 5, 1, 3, 2, 4)
        return x.reshape(x.shape[0], c, h * p, w * p)


# ---- weights ------------------------------------------------------------------------------------------------------
def build_text_encoder():
    """SD3's text_encoder (CLIP-L with projection) with its own fixed random weights."""
    g = torch.Generator().manual_seed(SEED_TEXT_ENCODER)
    return M.randomize(M.ClipTextModelWithProjection(TEXT_ENCODER), g).eval()


def build_text_encoder_2():
    """tiny-sdxl's text_encoder_2 (its weights come second from the SDXL seed)."""
    return M.build_models()[1]


def build_transformer():
    return M.randomize(Sd3Transformer(), torch.Generator().manual_seed(SEED_TRANSFORMER)).eval()


if __name__ == "__main__":
    for m in (build_text_encoder(), build_text_encoder_2(), build_transformer()):
        print(type(m).__name__, M.count_params(m))
