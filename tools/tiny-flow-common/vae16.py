"""Tiny 16-channel AutoencoderKL (diffusers' structure, as FLUX.1's and SD3's VAEs), random weights.

Written from diffusers' models/autoencoders/autoencoder_kl.py and vae.py (Encoder, Decoder), unets/unet_2d_blocks.py
(DownEncoderBlock2D, UpDecoderBlock2D, UNetMidBlock2D), resnet.py (ResnetBlock2D without time embedding,
Downsample2D with the (0, 1, 0, 1) pad and a stride-2 conv, Upsample2D nearest x2 + conv) and attention_processor.py
(the mid block's single-head spatial Attention with GroupNorm, biases, residual), not copied; parameter names follow
theirs. block_out_channels has 4 entries, so the spatial factor is 8; latent_channels 16; use_quant_conv and
use_post_quant_conv false (FLUX.1 / SD3); GroupNorm eps 1e-6 throughout, 4 groups at these widths.

- `vae_encoder` graph: sample (B, 3, H, W) -> latent_parameters (B, 32, H/8, W/8) = mean ‖ logvar (Encoder with
  double_z; no quant_conv);
- `vae_decoder` graph: latent_sample (B, 16, h, w) -> sample (B, 3, 8h, 8w).
Scaling and shift are the pipeline's (config only): FLUX 0.3611 / 0.1159, SD3 1.5305 / 0.0609.

    from vae16 import build_vae, export_vae, vae_config
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tiny-sdxl"))
from sdxl_modules import randomize  # noqa: E402

VAE_SEED = 20260422
VAE = dict(in_channels=3, out_channels=3, latent_channels=16, block_out_channels=(8, 16, 24, 24), layers_per_block=1,
           norm_num_groups=4, sample_size=64)
EPS = 1e-6
DIFFUSERS_VERSION = "0.32.0"
FAMILY_SCALING = {"flux": (0.3611, 0.1159), "sd3": (1.5305, 0.0609)}


def group_norm(ch):
    return nn.GroupNorm(VAE["norm_num_groups"], ch, eps=EPS)


class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = group_norm(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = group_norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


class Attention(nn.Module):
    """The VAE mid block's attention: heads = 1 (attention_head_dim = channels), GroupNorm, biased projections,
    residual connection, rescale_output_factor 1."""

    def __init__(self, ch):
        super().__init__()
        self.group_norm = group_norm(ch)
        self.to_q = nn.Linear(ch, ch)
        self.to_k = nn.Linear(ch, ch)
        self.to_v = nn.Linear(ch, ch)
        self.to_out = nn.ModuleList([nn.Linear(ch, ch)])

    def forward(self, x):
        b, c, h, w = x.shape
        y = self.group_norm(x).view(b, c, h * w).transpose(1, 2)
        q, k, v = self.to_q(y), self.to_k(y), self.to_v(y)
        a = torch.softmax(torch.matmul(q, k.transpose(1, 2)) * c ** -0.5, dim=-1)
        y = self.to_out[0](torch.matmul(a, v))
        return y.transpose(1, 2).reshape(b, c, h, w) + x


class MidBlock(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.attentions = nn.ModuleList([Attention(ch)])
        self.resnets = nn.ModuleList([ResnetBlock2D(ch, ch), ResnetBlock2D(ch, ch)])

    def forward(self, x):
        return self.resnets[1](self.attentions[0](self.resnets[0](x)))


class Downsample2D(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride=2, padding=0)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1), mode="constant", value=0.0))


class Upsample2D(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class DownEncoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, downsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout) for i in range(layers)])
        self.downsamplers = nn.ModuleList([Downsample2D(cout)]) if downsample else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        return self.downsamplers[0](x) if self.downsamplers is not None else x


class UpDecoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, upsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout) for i in range(layers)])
        self.upsamplers = nn.ModuleList([Upsample2D(cout)]) if upsample else None

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        return self.upsamplers[0](x) if self.upsamplers is not None else x


class Encoder(nn.Module):
    def __init__(self, cfg=VAE):
        super().__init__()
        ch, n = cfg["block_out_channels"], cfg["layers_per_block"]
        self.conv_in = nn.Conv2d(cfg["in_channels"], ch[0], 3, padding=1)
        self.down_blocks = nn.ModuleList([
            DownEncoderBlock2D(ch[i - 1] if i else ch[0], ch[i], n, downsample=i < len(ch) - 1) for i in range(len(ch))])
        self.mid_block = MidBlock(ch[-1])
        self.conv_norm_out = group_norm(ch[-1])
        self.conv_out = nn.Conv2d(ch[-1], 2 * cfg["latent_channels"], 3, padding=1)     # double_z

    def forward(self, x):
        x = self.conv_in(x)
        for block in self.down_blocks:
            x = block(x)
        return self.conv_out(F.silu(self.conv_norm_out(self.mid_block(x))))


class Decoder(nn.Module):
    def __init__(self, cfg=VAE):
        super().__init__()
        rev, n = list(reversed(cfg["block_out_channels"])), cfg["layers_per_block"]
        self.conv_in = nn.Conv2d(cfg["latent_channels"], rev[0], 3, padding=1)
        self.mid_block = MidBlock(rev[0])
        self.up_blocks = nn.ModuleList([
            UpDecoderBlock2D(rev[i - 1] if i else rev[0], rev[i], n + 1, upsample=i < len(rev) - 1)
            for i in range(len(rev))])
        self.conv_norm_out = group_norm(rev[-1])
        self.conv_out = nn.Conv2d(rev[-1], cfg["out_channels"], 3, padding=1)

    def forward(self, z):
        x = self.mid_block(self.conv_in(z))
        for block in self.up_blocks:
            x = block(x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class AutoencoderKL(nn.Module):
    def __init__(self, cfg=VAE):
        super().__init__()
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)


class VaeEncoderGraph(nn.Module):
    """What optimum exports as vae_encoder: the encoder's moments (mean ‖ logvar), no sampling, no scaling."""

    def __init__(self, vae):
        super().__init__()
        self.encoder = vae.encoder

    def forward(self, sample):
        return self.encoder(sample)


class VaeDecoderGraph(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.decoder = vae.decoder

    def forward(self, latent_sample):
        return self.decoder(latent_sample)


def build_vae():
    """The tiny VAE with its fixed random weights (own generator, seed VAE_SEED)."""
    return randomize(AutoencoderKL(), torch.Generator().manual_seed(VAE_SEED)).eval()


def encode_moments(vae, sample):
    """DiagonalGaussianDistribution of the encoder: (mean, logvar clamped to [-30, 20], std)."""
    mean, logvar = vae.encoder(sample).chunk(2, dim=1)
    logvar = logvar.clamp(-30.0, 20.0)
    return mean, logvar, torch.exp(0.5 * logvar)


def vae_config(family):
    """diffusers' AutoencoderKL config with the family's scaling_factor / shift_factor (FLUX.1: 0.3611 / 0.1159,
    SD3: 1.5305 / 0.0609), as both real VAEs' config.json have the keys (force_upcast true, no quant convs)."""
    scaling, shift = FAMILY_SCALING[family]
    c = VAE
    return {
        "_class_name": "AutoencoderKL",
        "_diffusers_version": DIFFUSERS_VERSION,
        "_note": "tiny random-weight fixture (tools/tiny-flow-common/vae16.py); the structure of FLUX.1's / SD3's "
                 "16-channel VAE at toy widths; the same graphs serve both families, only scaling/shift differ",
        "act_fn": "silu",
        "block_out_channels": list(c["block_out_channels"]),
        "down_block_types": ["DownEncoderBlock2D"] * len(c["block_out_channels"]),
        "force_upcast": True,
        "in_channels": c["in_channels"],
        "latent_channels": c["latent_channels"],
        "latents_mean": None,
        "latents_std": None,
        "layers_per_block": c["layers_per_block"],
        "mid_block_add_attention": True,
        "norm_num_groups": c["norm_num_groups"],
        "out_channels": c["out_channels"],
        "sample_size": c["sample_size"],
        "scaling_factor": scaling,
        "shift_factor": shift,
        "up_block_types": ["UpDecoderBlock2D"] * len(c["block_out_channels"]),
        "use_post_quant_conv": False,
        "use_quant_conv": False,
    }


def export_vae(vae, folder):
    """folder/vae_encoder/model.onnx and folder/vae_decoder/model.onnx with VaeEncoderOnnxConfig's /
    VaeDecoderOnnxConfig's names and axes (optimum-onnx head)."""
    from flow_export import export_checked
    f = 2 ** (len(VAE["block_out_channels"]) - 1)
    g = torch.Generator().manual_seed(0)
    export_checked(VaeEncoderGraph(vae), (torch.rand(2, 3, 64, 96, generator=g) * 2 - 1,),
                   os.path.join(folder, "vae_encoder", "model.onnx"), ["sample"], ["latent_parameters"],
                   {"sample": {0: "batch_size", 2: "sample_height", 3: "sample_width"},
                    "latent_parameters": {0: "batch_size", 2: f"sample_height / {f}", 3: f"sample_width / {f}"}})
    export_checked(VaeDecoderGraph(vae), (torch.randn(2, VAE["latent_channels"], 8, 12, generator=g),),
                   os.path.join(folder, "vae_decoder", "model.onnx"), ["latent_sample"], ["sample"],
                   {"latent_sample": {0: "batch_size", 2: "latent_height", 3: "latent_width"},
                    "sample": {0: "batch_size", 2: f"latent_height * {f}", 3: f"latent_width * {f}"}})
