"""Tiny pure-PyTorch stand-ins for the three networks of Stable Diffusion XL, with SDXL's real structure and I/O.

Written from the published definitions (transformers `models/clip/modeling_clip.py`; diffusers
`models/unets/unet_2d_condition.py`, `unet_2d_blocks.py`, `resnet.py`, `transformers/transformer_2d.py`,
`attention.py`, `embeddings.py`), not copied: the parameter names follow theirs so a reader can map them.

- `ClipTextModel`: CLIPTextModel (token + position embeddings, pre-LN layers with a causal mask, final LayerNorm,
  pooled output = the final-LN state at the first EOS token), returning every hidden state like
  `output_hidden_states=True` (hidden_states[0] = embeddings, hidden_states[i] = output of layer i, before the final
  LayerNorm).
- `ClipTextModelWithProjection`: the same plus `text_projection` (no bias): `text_embeds` = projection(pooled).
- `UNet`: a two-level UNet2DConditionModel (DownBlock2D, CrossAttnDownBlock2D / UNetMidBlock2DCrossAttn /
  CrossAttnUpBlock2D, UpBlock2D, as SDXL's first and later levels) with SDXL's `text_time` conditioning.
- `LcmUNet`: the same with `time_cond_proj_dim` (LCM-SDXL): a `timestep_cond` input (the guidance embedding)
  projected into the time embedding's input.

Run with Debian's /usr/bin/python3 (python3-torch 1.13).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20260417

# ---- sizes (tiny, but every width distinct so that a wiring mistake changes a shape or a value) ----------------
VOCAB = 567            # the demo's CLIP BPE vocabulary (models/demo/tokenizer): 565 <|startoftext|>, 566 <|endoftext|>
MAX_TOKENS = 77
BOS_ID, EOS_ID = 565, 566

TEXT_ENCODER = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=2,
                    hidden_act="quick_gelu", projection_dim=32)          # CLIP ViT-L/14's structure (SDXL's first)
TEXT_ENCODER_2 = dict(hidden_size=48, intermediate_size=96, num_hidden_layers=3, num_attention_heads=4,
                      hidden_act="gelu", projection_dim=40)              # OpenCLIP bigG's structure (gelu, projection)
CROSS_ATTENTION_DIM = TEXT_ENCODER["hidden_size"] + TEXT_ENCODER_2["hidden_size"]    # 80 (SDXL: 768 + 1280 = 2048)
ADDITION_TIME_EMBED_DIM = 256                                           # SDXL's value
N_TIME_IDS = 6
PROJECTION_CLASS_EMBEDDINGS_INPUT_DIM = TEXT_ENCODER_2["projection_dim"] + N_TIME_IDS * ADDITION_TIME_EMBED_DIM  # 1576

# attention_head_dim is, as in diffusers' SDXL config, the number of heads per level (diffusers' historical naming);
# the time embedding width is diffusers' default block_out_channels[0] * 4
UNET = dict(block_out_channels=(8, 16), layers_per_block=1, attention_head_dim=(1, 2), norm_num_groups=4,
            transformer_layers_per_block=1, in_channels=4, out_channels=4, sample_size=8)
UNET["time_embed_dim"] = UNET["block_out_channels"][0] * 4
# the LCM variant (tiny-lcm-sdxl): the same UNet plus the guidance embedding's projection (lcm-sdxl's is 256 wide)
TIME_COND_PROJ_DIM = 16
UNET_LCM = dict(UNET, time_cond_proj_dim=TIME_COND_PROJ_DIM)
SEED_LCM = 20260418    # the LCM UNet's own weights; the text encoders (and the VAE) are tiny-sdxl's


# ---- text encoders ------------------------------------------------------------------------------------------------
def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


ACTIVATIONS = {"quick_gelu": quick_gelu, "gelu": F.gelu}


class ClipAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.scale = self.head_dim ** -0.5
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.q_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, mask):
        b, n, c = x.shape
        q = self.q_proj(x).view(b, n, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, n, self.heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, n, self.heads, self.head_dim).transpose(1, 2)
        w = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * self.scale + mask, dim=-1)
        return self.out_proj(torch.matmul(w, v).transpose(1, 2).reshape(b, n, c))


class ClipMlp(nn.Module):
    def __init__(self, width, inner, act):
        super().__init__()
        self.act = ACTIVATIONS[act]
        self.fc1 = nn.Linear(width, inner)
        self.fc2 = nn.Linear(inner, width)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ClipEncoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        w = cfg["hidden_size"]
        self.self_attn = ClipAttention(w, cfg["num_attention_heads"])
        self.layer_norm1 = nn.LayerNorm(w, eps=1e-5)
        self.mlp = ClipMlp(w, cfg["intermediate_size"], cfg["hidden_act"])
        self.layer_norm2 = nn.LayerNorm(w, eps=1e-5)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class ClipTextTransformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        w = cfg["hidden_size"]
        self.token_embedding = nn.Embedding(VOCAB, w)
        self.position_embedding = nn.Embedding(MAX_TOKENS, w)
        self.layers = nn.ModuleList([ClipEncoderLayer(cfg) for _ in range(cfg["num_hidden_layers"])])
        self.final_layer_norm = nn.LayerNorm(w, eps=1e-5)

    def forward(self, input_ids):
        """Returns (last_hidden_state, pooled_output, hidden_states tuple of num_hidden_layers + 1)."""
        n = input_ids.shape[1]
        ids = input_ids.long()
        positions = torch.arange(n, device=ids.device).unsqueeze(0)
        x = self.token_embedding(ids) + self.position_embedding(positions)
        # causal mask as transformers builds it: the dtype's minimum above the diagonal, 0 elsewhere
        mask = torch.full((n, n), torch.finfo(x.dtype).min).triu(1)[None, None]
        hidden = [x]
        for layer in self.layers:
            x = layer(x, mask)
            hidden.append(x)
        last = self.final_layer_norm(x)
        # pooled: the final-LN state at the first <|endoftext|> (transformers' eos_token_id path; here the EOS id is
        # also the vocabulary's largest, so the legacy "argmax of the ids" rule picks the same position)
        eos_at = (input_ids.to(torch.int32) == EOS_ID).to(torch.int32).argmax(dim=-1)
        pooled = last[torch.arange(last.shape[0]), eos_at]
        return last, pooled, tuple(hidden)


class ClipTextModel(nn.Module):
    """CLIPTextModel: outputs as optimum's CLIPTextOnnxConfig names them: last_hidden_state, pooler_output,
    hidden_states.0 ... hidden_states.N."""

    def __init__(self, cfg=TEXT_ENCODER):
        super().__init__()
        self.cfg = cfg
        self.text_model = ClipTextTransformer(cfg)

    def forward(self, input_ids):
        last, pooled, hidden = self.text_model(input_ids)
        return (last, pooled) + hidden


class ClipTextModelWithProjection(nn.Module):
    """CLIPTextModelWithProjection: text_embeds, last_hidden_state, hidden_states.0 ... hidden_states.N."""

    def __init__(self, cfg=TEXT_ENCODER_2):
        super().__init__()
        self.cfg = cfg
        self.text_model = ClipTextTransformer(cfg)
        self.text_projection = nn.Linear(cfg["hidden_size"], cfg["projection_dim"], bias=False)

    def forward(self, input_ids):
        last, pooled, hidden = self.text_model(input_ids)
        return (self.text_projection(pooled), last) + hidden


# ---- UNet ---------------------------------------------------------------------------------------------------------
def timestep_embedding(timesteps, dim, flip_sin_to_cos=True, downscale_freq_shift=0.0, max_period=10000):
    """diffusers get_timestep_embedding: exp(-ln(max_period) * k / (half - shift)), [sin, cos], flipped to [cos, sin]."""
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(half, dtype=torch.float32) / (half - downscale_freq_shift)
    emb = timesteps[:, None].float() * torch.exp(exponent)[None, :]
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    return emb


class TimestepEmbedding(nn.Module):
    """linear_1 -> SiLU -> linear_2 (diffusers TimestepEmbedding). With cond_proj_dim (LCM's time_cond_proj_dim),
    a bias-free cond_proj, registered between linear_1 and linear_2 as diffusers does, adds the projected condition
    to the input before linear_1: `sample = sample + cond_proj(condition)`."""

    def __init__(self, cin, dim, cond_proj_dim=None):
        super().__init__()
        self.linear_1 = nn.Linear(cin, dim)
        if cond_proj_dim is not None:
            self.cond_proj = nn.Linear(cond_proj_dim, cin, bias=False)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x, condition=None):
        if condition is not None:
            x = x + self.cond_proj(condition)
        return self.linear_2(F.silu(self.linear_1(x)))


class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout, temb, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


class Attention(nn.Module):
    """diffusers Attention as SDXL uses it: to_q/to_k/to_v without bias, to_out[0] with bias."""

    def __init__(self, dim, heads, context_dim=None):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim or dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim or dim, dim, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(dim, dim)])

    def forward(self, x, context=None):
        context = x if context is None else context
        b, n, c = x.shape
        d = c // self.heads
        q = self.to_q(x).view(b, n, self.heads, d).transpose(1, 2)
        k = self.to_k(context).view(b, -1, self.heads, d).transpose(1, 2)
        v = self.to_v(context).view(b, -1, self.heads, d).transpose(1, 2)
        w = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * d ** -0.5, dim=-1)
        return self.to_out[0](torch.matmul(w, v).transpose(1, 2).reshape(b, n, c))


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        h, gate = self.proj(x).chunk(2, dim=-1)
        return h * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, dim * mult), nn.Identity(), nn.Linear(dim * mult, dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, context_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.attn1 = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.attn2 = Attention(dim, heads, context_dim)
        self.norm3 = nn.LayerNorm(dim, eps=1e-5)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        x = x + self.attn1(self.norm1(x))
        x = x + self.attn2(self.norm2(x), context)
        return x + self.ff(self.norm3(x))


class Transformer2DModel(nn.Module):
    """use_linear_projection=True (SDXL): GroupNorm(eps 1e-6) -> flatten -> proj_in -> blocks -> proj_out -> + x."""

    def __init__(self, channels, heads, context_dim, groups, layers=1):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, eps=1e-6)
        self.proj_in = nn.Linear(channels, channels)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(channels, heads, context_dim) for _ in range(layers)])
        self.proj_out = nn.Linear(channels, channels)

    def forward(self, x, context):
        b, c, h, w = x.shape
        y = self.norm(x).permute(0, 2, 3, 1).reshape(b, h * w, c)
        y = self.proj_in(y)
        for block in self.transformer_blocks:
            y = block(y, context)
        y = self.proj_out(y).reshape(b, h, w, c).permute(0, 3, 1, 2)
        return y + x


class Downsample2D(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class DownBlock(nn.Module):
    """DownBlock2D (attention=False) or CrossAttnDownBlock2D (attention=True)."""

    def __init__(self, cin, cout, temb, groups, layers, heads, context_dim, attention, downsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout, temb, groups) for i in range(layers)])
        self.attentions = nn.ModuleList(
            [Transformer2DModel(cout, heads, context_dim, groups) for _ in range(layers)]) if attention else None
        self.downsamplers = nn.ModuleList([Downsample2D(cout)]) if downsample else None

    def forward(self, x, temb, context):
        states = ()
        for i, resnet in enumerate(self.resnets):
            x = resnet(x, temb)
            if self.attentions is not None:
                x = self.attentions[i](x, context)
            states += (x,)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            states += (x,)
        return x, states


class UpBlock(nn.Module):
    """UpBlock2D (attention=False) or CrossAttnUpBlock2D (attention=True): layers + 1 resnets on skip concats."""

    def __init__(self, cin, prev, cout, temb, groups, layers, heads, context_dim, attention, upsample):
        super().__init__()
        n = layers + 1
        self.resnets = nn.ModuleList([
            ResnetBlock2D((prev if i == 0 else cout) + (cin if i == n - 1 else cout), cout, temb, groups)
            for i in range(n)])
        self.attentions = nn.ModuleList(
            [Transformer2DModel(cout, heads, context_dim, groups) for _ in range(n)]) if attention else None
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if upsample else None

    def forward(self, x, skips, temb, context):
        for i, resnet in enumerate(self.resnets):
            x = resnet(torch.cat([x, skips[-1 - i]], dim=1), temb)
            if self.attentions is not None:
                x = self.attentions[i](x, context)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class MidBlock(nn.Module):
    """UNetMidBlock2DCrossAttn: resnet, (attention, resnet)."""

    def __init__(self, ch, temb, groups, heads, context_dim):
        super().__init__()
        self.attentions = nn.ModuleList([Transformer2DModel(ch, heads, context_dim, groups)])
        self.resnets = nn.ModuleList([ResnetBlock2D(ch, ch, temb, groups), ResnetBlock2D(ch, ch, temb, groups)])

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        return self.resnets[1](self.attentions[0](x, context), temb)


class UNet(nn.Module):
    """UNet2DConditionModel with addition_embed_type "text_time". forward(sample, timestep, encoder_hidden_states,
    text_embeds, time_ids) -> out_sample, the I/O of optimum's UNetOnnxConfig."""

    def __init__(self, cfg=UNET):
        super().__init__()
        ch = cfg["block_out_channels"]
        g, layers, heads = cfg["norm_num_groups"], cfg["layers_per_block"], cfg["attention_head_dim"]
        temb = cfg["time_embed_dim"]
        self.conv_in = nn.Conv2d(cfg["in_channels"], ch[0], 3, padding=1)
        # time_proj = Timesteps(block_out_channels[0], flip_sin_to_cos=True, freq_shift=0) (no weights)
        self.time_embedding = TimestepEmbedding(ch[0], temb, cfg.get("time_cond_proj_dim"))
        # add_time_proj = Timesteps(256, True, 0) (no weights); add_embedding = TimestepEmbedding(1576, temb)
        self.add_embedding = TimestepEmbedding(PROJECTION_CLASS_EMBEDDINGS_INPUT_DIM, temb)
        self.down_blocks = nn.ModuleList([
            DownBlock(ch[0], ch[0], temb, g, layers, heads[0], CROSS_ATTENTION_DIM, attention=False, downsample=True),
            DownBlock(ch[0], ch[1], temb, g, layers, heads[1], CROSS_ATTENTION_DIM, attention=True, downsample=False),
        ])
        self.mid_block = MidBlock(ch[1], temb, g, heads[1], CROSS_ATTENTION_DIM)
        self.up_blocks = nn.ModuleList([
            UpBlock(ch[0], ch[1], ch[1], temb, g, layers, heads[1], CROSS_ATTENTION_DIM, attention=True, upsample=True),
            UpBlock(ch[0], ch[1], ch[0], temb, g, layers, heads[0], CROSS_ATTENTION_DIM, attention=False,
                    upsample=False),
        ])
        self.conv_norm_out = nn.GroupNorm(g, ch[0], eps=1e-5)
        self.conv_out = nn.Conv2d(ch[0], cfg["out_channels"], 3, padding=1)
        self.ch0 = ch[0]

    def forward(self, sample, timestep, encoder_hidden_states, text_embeds, time_ids):
        return self.run(sample, timestep, encoder_hidden_states, None, text_embeds, time_ids)

    def run(self, sample, timestep, encoder_hidden_states, timestep_cond, text_embeds, time_ids):
        # get_time_embed: a rank-0 timestep gets a batch axis, then it is broadcast to the batch
        t = timestep.reshape(-1).expand(sample.shape[0])
        emb = self.time_embedding(timestep_embedding(t, self.ch0), timestep_cond)
        # get_aug_embed ("text_time"): Timesteps(256) of every time id, flattened per row, after text_embeds
        time_embeds = timestep_embedding(time_ids.flatten(), ADDITION_TIME_EMBED_DIM)
        time_embeds = time_embeds.reshape(text_embeds.shape[0], -1)
        emb = emb + self.add_embedding(torch.cat([text_embeds, time_embeds], dim=-1))

        x = self.conv_in(sample)
        skips = (x,)
        for block in self.down_blocks:
            x, states = block(x, emb, encoder_hidden_states)
            skips += states
        x = self.mid_block(x, emb, encoder_hidden_states)
        for block in self.up_blocks:
            n = len(block.resnets)
            x = block(x, skips[-n:], emb, encoder_hidden_states)
            skips = skips[:-n]
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class LcmUNet(UNet):
    """The same UNet with `time_cond_proj_dim` (an LCM-distilled SDXL UNet such as latent-consistency/lcm-sdxl):
    forward(sample, timestep, encoder_hidden_states, timestep_cond, text_embeds, time_ids) -> out_sample, the inputs
    in the order optimum's UNetOnnxConfig.ordered_inputs gives them (UNet2DConditionModel.forward's signature order,
    timestep_cond before added_cond_kwargs, whose text_embeds and time_ids are appended last)."""

    def __init__(self, cfg=None):
        super().__init__(cfg or UNET_LCM)

    def forward(self, sample, timestep, encoder_hidden_states, timestep_cond, text_embeds, time_ids):
        return self.run(sample, timestep, encoder_hidden_states, timestep_cond, text_embeds, time_ids)


# ---- weights ------------------------------------------------------------------------------------------------------
def randomize(module, generator):
    """Random weights that keep activations of order one: fan-in scaled normal matrices, norms' scales near 1 and
    small random biases (so a dropped bias or affine term changes the numbers), embeddings with std 0.5."""
    embeddings = {n + ".weight" for n, m in module.named_modules() if isinstance(m, nn.Embedding)}
    for name, p in module.named_parameters():
        with torch.no_grad():
            if p.dim() == 1:
                base = 1.0 if ("norm" in name and name.endswith("weight")) else 0.0
                p.copy_(base + 0.1 * torch.randn(p.shape, generator=generator))
            elif name in embeddings:
                p.copy_(0.5 * torch.randn(p.shape, generator=generator))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=generator) / math.sqrt(fan_in))
    return module


def build_models():
    """The three networks with their fixed random weights (same seed, same order: same numbers every run)."""
    g = torch.Generator().manual_seed(SEED)
    te = randomize(ClipTextModel(), g).eval()
    te2 = randomize(ClipTextModelWithProjection(), g).eval()
    unet = randomize(UNet(), g).eval()
    return te, te2, unet


def build_lcm_unet():
    """The LCM UNet with its fixed random weights (its own generator, so tiny-sdxl's networks are untouched)."""
    return randomize(LcmUNet(), torch.Generator().manual_seed(SEED_LCM)).eval()


def count_params(m):
    return sum(p.numel() for p in m.parameters())


if __name__ == "__main__":
    for m in build_models() + (build_lcm_unet(),):
        print(type(m).__name__, count_params(m))
