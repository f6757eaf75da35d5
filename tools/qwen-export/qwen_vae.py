"""The Qwen-Image VAE (diffusers' `AutoencoderKLQwenImage`, a Wan-style 3-D causal VAE) as a plain PyTorch module
tree, for exporting a single-image encoder and decoder to ONNX.

  /usr/bin/python3 tools/qwen-export/qwen_vae.py        # self-check (key names/shapes, shapes, ONNX export)

Parameter names and shapes are diffusers' own, so a checkpoint's `vae/diffusion_pytorch_model.safetensors` loads
strictly (`load_state_dict(..., strict=True)`). The code was written from a reading of
src/diffusers/models/autoencoders/autoencoder_kl_qwenimage.py at diffusers commit
58eb52c0803ea9af3abec60841c2a093bdf1f951; it is not a copy of it.

Scope: one frame (T = 1), which is all an image pipeline uses. What diffusers does for that case:

* `encode` runs the encoder on frame 0 alone, with an empty feature cache, then `quant_conv`. The posterior's
  `mode()` is the first `z_dim` channels of that output (the mean); the other half is the log-variance, which
  `DiagonalGaussianDistribution` clamps to [-30, 20] only when it builds std/var.
* `decode` runs `post_quant_conv`, then the decoder on frame 0 with an empty cache, then clamps to [-1, 1]
  (the non-tiled `_decode` clamps; `tiled_decode`, used only when tiling is switched on, does not).
* With an empty cache every causal 3-D convolution pads the past with zeros (its cache argument is None), so a
  kernel of depth 3 sees [0, 0, x] and only its last temporal tap acts.
* On the first chunk the temporal resamplers do no temporal work: `downsample3d` only stores the frame in the
  cache and skips `time_conv`; `upsample3d` only marks its cache slot ("Rep") and skips `time_conv` (and with
  it the frame-doubling interleave). Both then apply just their per-frame 2-D part. That is also exactly what the
  cache-free path (`feat_cache=None`) does, so the modules below have no cache at all and the `time_conv`
  weights are held (for strict loading) but never used.
* The pipeline's latents_mean/latents_std normalisation is NOT part of `encode_mean`/`decode`; helpers
  `normalize_latents`/`denormalize_latents` apply it as the Qwen-Image pipelines do.

The encoder graph outputs mean ‖ logvar so a caller can also sample the posterior (the Qwen-Image img2img and
inpaint pipelines do, with logvar clamped to [-30, 20]; the edit pipeline takes the mean). `export_onnx(...,
single_frame_2d=True)` writes every causal conv as the equivalent Conv2d (see CausalConv3d): same outputs to
float rounding, a third of the convolution work.

More than one frame is refused: diffusers would then encode in chunks of 1 + 4 + 4 ... frames with temporal
caches and run the time convolutions, none of which is implemented here.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DIFFUSERS_COMMIT = "58eb52c0803ea9af3abec60841c2a093bdf1f951"

# The config defaults of AutoencoderKLQwenImage (also what Qwen/Qwen-Image's vae/config.json carries).
LATENTS_MEAN = (-0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508,
                0.4134, -0.0715, 0.5517, -0.3632, -0.1922, -0.9497, 0.2503, -0.2921)
LATENTS_STD = (2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743,
               3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.9160)


def _per_frame(fn, x):
    """Applies a 2-D module `fn` to the single frame of a (B, C, 1, H, W) tensor.

    Upstream folds time into the batch (B*T, C, H, W); with T == 1 that is just taking frame 0 (an ONNX Gather),
    which keeps the time axis a static 1 in the exported graphs. (`squeeze(2)` would export as an If on the
    runtime size.)
    """
    if not torch.jit.is_tracing() and x.shape[2] != 1:
        raise ValueError(f"only single frames are implemented, got T = {x.shape[2]}")
    return fn(x[:, :, 0]).unsqueeze(2)


class CausalConv3d(nn.Conv3d):
    """A Conv3d that is causal in time.

    It is built with the usual symmetric `padding` (t, h, w). Height and width keep that symmetric zero padding;
    in time the 2*t zero frames all go before the clip (the past side) and none after it. The padding is done by
    an explicit F.pad and the layer's own padding is set to zero, as upstream does.

    `single_frame_2d` (off by default) computes the same thing for T == 1 as a Conv2d: when the 2*t = k_t - 1
    padded frames are all zeros, only the kernel's last temporal tap meets real data. The result is equal up to
    float summation order, and it costs 1/k_t of the multiply-adds. It is an export option, not upstream's form.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding)
        pad_t, pad_h, pad_w = self.padding
        self.causal_padding = (pad_w, pad_w, pad_h, pad_h, 2 * pad_t, 0)  # F.pad order: W, H, T (last dim first)
        self.padding = (0, 0, 0)
        self.single_frame_2d = False

    def forward(self, x):
        if self.single_frame_2d and self.kernel_size[0] - 1 == self.causal_padding[4] and self.stride[0] == 1:
            if not torch.jit.is_tracing() and x.shape[2] != 1:
                raise ValueError(f"single_frame_2d needs T == 1, got T = {x.shape[2]}")
            y = F.conv2d(x[:, :, 0], self.weight[:, :, -1], self.bias, stride=self.stride[1:],
                         padding=(self.causal_padding[2], self.causal_padding[0]))
            return y.unsqueeze(2)
        if any(self.causal_padding):
            x = F.pad(x, self.causal_padding)
        return super().forward(x)


class RMSNorm(nn.Module):
    """L2-normalises over the channel axis, then multiplies by sqrt(C) and a learnt per-channel `gamma`.

    `gamma` is (C, 1, 1) for 4-D inputs (`images=True`, attention blocks) and (C, 1, 1, 1) for 5-D inputs
    (`images=False`); (C,) when channels are last. Upstream's bias is the float 0.0 unless bias=True, so a
    default norm has no bias tensor.
    """

    def __init__(self, dim, channel_first=True, images=True, bias=False):
        super().__init__()
        trailing = (1, 1) if images else (1, 1, 1)
        shape = (dim,) + trailing if channel_first else (dim,)
        self.channel_first = channel_first
        self.scale = dim ** 0.5
        self.gamma = nn.Parameter(torch.ones(shape))
        if bias:
            self.bias = nn.Parameter(torch.zeros(shape))
        else:
            self.bias = None

    def forward(self, x):
        axis = 1 if self.channel_first else -1
        xf = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x  # sum of squares in float32
        length = xf.norm(p=2, dim=axis, keepdim=True).clamp_min(1e-12)      # same eps as F.normalize
        y = (xf / length).to(x.dtype) * self.scale * self.gamma
        if self.bias is not None:
            y = y + self.bias
        return y


class NearestUpsample2x(nn.Module):
    """Doubles H and W, nearest neighbour, computed in float32 and cast back.

    Upstream asks for mode "nearest-exact". For an exact factor of 2 it picks the same source pixel as "nearest"
    (floor((i + 0.5) / 2) == floor(i / 2) for every integer i), so "nearest" is used: it exports to ONNX Resize
    without question. The self-check asserts the equality.
    """

    def forward(self, x):
        return F.interpolate(x.float(), scale_factor=2.0, mode="nearest").to(x.dtype)


class Resample(nn.Module):
    """Spatial up/down-sampling, plus a temporal convolution in the 3d modes.

    Index 0 of `resample` is parameter-free (the upsampler or a right/bottom ZeroPad2d), index 1 the Conv2d, so
    the weights are `resample.1.*`. Upsampling halves the channels. `time_conv` (3d modes) is held for loading
    but, for a single frame, never run: see the module docstring.
    """

    MODES = ("none", "upsample2d", "upsample3d", "downsample2d", "downsample3d")

    def __init__(self, dim, mode):
        super().__init__()
        if mode not in self.MODES:
            raise ValueError(f"unknown resample mode {mode!r}")
        self.dim = dim
        self.mode = mode
        if mode.startswith("upsample"):
            self.resample = nn.Sequential(NearestUpsample2x(), nn.Conv2d(dim, dim // 2, 3, padding=1))
            if mode == "upsample3d":
                # Would produce two frames (2*dim channels, split and interleaved) per input frame.
                self.time_conv = CausalConv3d(dim, dim * 2, (3, 1, 1), padding=(1, 0, 0))
        elif mode.startswith("downsample"):
            self.resample = nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(dim, dim, 3, stride=2))
            if mode == "downsample3d":
                self.time_conv = CausalConv3d(dim, dim, (3, 1, 1), stride=(2, 1, 1))
        else:
            self.resample = nn.Identity()

    def forward(self, x):
        # First (and only) chunk: diffusers skips time_conv in both 3d modes, so only the 2-D part runs.
        return _per_frame(self.resample, x)


class ResidualBlock(nn.Module):
    """norm → SiLU → causal conv 3x3x3 → norm → SiLU → dropout → causal conv 3x3x3, plus a shortcut that is a
    1x1x1 causal conv when the width changes."""

    def __init__(self, in_dim, out_dim, dropout=0.0):
        super().__init__()
        self.in_dim = in_dim
        self.out_dim = out_dim
        self.nonlinearity = nn.SiLU()
        self.norm1 = RMSNorm(in_dim, images=False)
        self.conv1 = CausalConv3d(in_dim, out_dim, 3, padding=1)
        self.norm2 = RMSNorm(out_dim, images=False)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = CausalConv3d(out_dim, out_dim, 3, padding=1)
        self.conv_shortcut = CausalConv3d(in_dim, out_dim, 1) if in_dim != out_dim else nn.Identity()

    def forward(self, x):
        skip = self.conv_shortcut(x)
        h = self.conv1(self.nonlinearity(self.norm1(x)))
        h = self.conv2(self.dropout(self.nonlinearity(self.norm2(h))))
        return h + skip


class AttentionBlock(nn.Module):
    """Single-head self-attention over the H*W positions of each frame separately, with a residual."""

    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self.norm = RMSNorm(dim, images=True)
        self.to_qkv = nn.Conv2d(dim, dim * 3, 1)
        self.proj = nn.Conv2d(dim, dim, 1)

    def _attend(self, f):
        n, c, h, w = f.shape
        tokens = self.to_qkv(self.norm(f)).reshape(n, 3 * self.dim, -1).transpose(1, 2)  # (N, HW, 3C)
        q, k, v = tokens.split(self.dim, dim=2)  # channel thirds: query, key, value
        weights = torch.softmax(torch.matmul(q, k.transpose(1, 2)) * (self.dim ** -0.5), dim=-1)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(n, self.dim, h, w)
        return self.proj(out)

    def forward(self, x):
        return x + _per_frame(self._attend, x)


class MidBlock(nn.Module):
    """resnet, then (attention, resnet) × num_layers. `attentions` is registered before `resnets`."""

    def __init__(self, dim, dropout=0.0, num_layers=1):
        super().__init__()
        self.dim = dim
        self.attentions = nn.ModuleList([AttentionBlock(dim) for _ in range(num_layers)])
        self.resnets = nn.ModuleList([ResidualBlock(dim, dim, dropout) for _ in range(num_layers + 1)])

    def forward(self, x):
        x = self.resnets[0](x)
        for attention, resnet in zip(self.attentions, self.resnets[1:]):
            x = resnet(attention(x))
        return x


class Encoder3d(nn.Module):
    """conv_in → flat list of down blocks (resnets, optional attentions, resamplers) → mid block → head."""

    def __init__(self, dim, z_dim, dim_mult, num_res_blocks, attn_scales, temperal_downsample, dropout=0.0,
                 input_channels=3):
        super().__init__()
        widths = [dim] + [dim * m for m in dim_mult]
        self.nonlinearity = nn.SiLU()
        self.conv_in = CausalConv3d(input_channels, widths[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        scale = 1.0
        for level in range(len(dim_mult)):
            cin, cout = widths[level], widths[level + 1]
            for _ in range(num_res_blocks):
                self.down_blocks.append(ResidualBlock(cin, cout, dropout))
                if scale in attn_scales:
                    self.down_blocks.append(AttentionBlock(cout))
                cin = cout
            if level < len(dim_mult) - 1:
                mode = "downsample3d" if temperal_downsample[level] else "downsample2d"
                self.down_blocks.append(Resample(cout, mode))
                scale /= 2.0
        self.mid_block = MidBlock(cout, dropout, num_layers=1)
        self.norm_out = RMSNorm(cout, images=False)
        self.conv_out = CausalConv3d(cout, z_dim, 3, padding=1)

    def forward(self, x):
        x = self.conv_in(x)
        for block in self.down_blocks:
            x = block(x)
        x = self.mid_block(x)
        return self.conv_out(self.nonlinearity(self.norm_out(x)))


class UpBlock(nn.Module):
    """num_res_blocks + 1 resnets, then an optional upsampler (held in a one-element `upsamplers` list)."""

    def __init__(self, in_dim, out_dim, num_res_blocks, dropout=0.0, upsample_mode=None):
        super().__init__()
        self.in_dim = in_dim
        self.out_dim = out_dim
        self.resnets = nn.ModuleList(
            [ResidualBlock(in_dim if i == 0 else out_dim, out_dim, dropout) for i in range(num_res_blocks + 1)])
        self.upsamplers = None
        if upsample_mode is not None:
            self.upsamplers = nn.ModuleList([Resample(out_dim, upsample_mode)])

    def forward(self, x):
        for resnet in self.resnets:
            x = resnet(x)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class Decoder3d(nn.Module):
    """conv_in → mid block → up blocks (widest first) → head. Upstream takes attn_scales but adds no attention
    to the up blocks; so does this."""

    def __init__(self, dim, z_dim, dim_mult, num_res_blocks, attn_scales, temperal_upsample, dropout=0.0,
                 input_channels=3):
        super().__init__()
        widths = [dim * m for m in [dim_mult[-1]] + list(dim_mult)[::-1]]
        self.nonlinearity = nn.SiLU()
        self.conv_in = CausalConv3d(z_dim, widths[0], 3, padding=1)
        self.mid_block = MidBlock(widths[0], dropout, num_layers=1)
        self.up_blocks = nn.ModuleList()
        for level in range(len(dim_mult)):
            # every block after the first follows an upsampler, whose Conv2d halved the width
            cin = widths[level] if level == 0 else widths[level] // 2
            cout = widths[level + 1]
            mode = None
            if level < len(dim_mult) - 1:
                mode = "upsample3d" if temperal_upsample[level] else "upsample2d"
            self.up_blocks.append(UpBlock(cin, cout, num_res_blocks, dropout, mode))
        self.norm_out = RMSNorm(cout, images=False)
        self.conv_out = CausalConv3d(cout, input_channels, 3, padding=1)

    def forward(self, x):
        x = self.mid_block(self.conv_in(x))
        for block in self.up_blocks:
            x = block(x)
        return self.conv_out(self.nonlinearity(self.norm_out(x)))


class AutoencoderKLQwenImage(nn.Module):
    """encoder → quant_conv (mean ‖ logvar), post_quant_conv → decoder; single-frame forward only."""

    CONFIG_KEYS = ("base_dim", "z_dim", "dim_mult", "num_res_blocks", "attn_scales", "temperal_downsample",
                   "dropout", "input_channels", "latents_mean", "latents_std")

    def __init__(self, base_dim=96, z_dim=16, dim_mult=(1, 2, 4, 4), num_res_blocks=2, attn_scales=(),
                 temperal_downsample=(False, True, True), dropout=0.0, input_channels=3,
                 latents_mean=LATENTS_MEAN, latents_std=LATENTS_STD):
        super().__init__()
        self.z_dim = z_dim
        self.temperal_downsample = list(temperal_downsample)
        self.temperal_upsample = self.temperal_downsample[::-1]
        self.latents_mean = [float(v) for v in latents_mean]  # config values, not tensors in the state_dict
        self.latents_std = [float(v) for v in latents_std]
        self.spatial_compression_ratio = 2 ** len(self.temperal_downsample)
        self.encoder = Encoder3d(base_dim, z_dim * 2, list(dim_mult), num_res_blocks, list(attn_scales),
                                 self.temperal_downsample, dropout, input_channels)
        self.quant_conv = CausalConv3d(z_dim * 2, z_dim * 2, 1)
        self.post_quant_conv = CausalConv3d(z_dim, z_dim, 1)
        self.decoder = Decoder3d(base_dim, z_dim, list(dim_mult), num_res_blocks, list(attn_scales),
                                 self.temperal_upsample, dropout, input_channels)

    @classmethod
    def from_config(cls, config):
        """Builds from a diffusers vae/config.json dict (keys it does not take, such as _class_name, are ignored)."""
        return cls(**{k: config[k] for k in cls.CONFIG_KEYS if k in config})

    def set_single_frame_2d(self, enabled):
        """Switches every causal conv to (or back from) its Conv2d form for one frame; see CausalConv3d."""
        for m in self.modules():
            if isinstance(m, CausalConv3d):
                m.single_frame_2d = bool(enabled)
        return self

    @staticmethod
    def _single_frame(x, what):
        if x.dim() != 5:
            raise ValueError(f"{what}: expected a (B, C, T, H, W) tensor, got {tuple(x.shape)}")
        if not torch.jit.is_tracing() and x.shape[2] != 1:
            raise ValueError(f"{what}: only T == 1 is implemented, got T = {x.shape[2]}")

    def encode_parameters(self, x):
        """(B, 3, 1, H, W) in [-1, 1] → quant_conv output (B, 2*z_dim, 1, H/8, W/8): mean ‖ logvar (unclamped)."""
        self._single_frame(x, "encode")
        return self.quant_conv(self.encoder(x))

    def encode_mean(self, x):
        """The posterior mean, i.e. `vae.encode(x).latent_dist.mode()`, before latents_mean/std normalisation."""
        return self.encode_parameters(x)[:, :self.z_dim]

    def decode(self, z):
        """(B, z_dim, 1, h, w) raw latents → (B, 3, 1, 8h, 8w), clamped to [-1, 1] as diffusers' `_decode` does."""
        self._single_frame(z, "decode")
        return self.decoder(self.post_quant_conv(z)).clamp(-1.0, 1.0)

    def _stats(self, ref):
        shape = (1, self.z_dim, 1, 1, 1)
        mean = torch.tensor(self.latents_mean, dtype=ref.dtype, device=ref.device).view(shape)
        std = torch.tensor(self.latents_std, dtype=ref.dtype, device=ref.device).view(shape)
        return mean, std

    def normalize_latents(self, z):
        """What the Qwen-Image pipelines apply after encoding: (z - mean) / std."""
        mean, std = self._stats(z)
        return (z - mean) / std

    def denormalize_latents(self, z):
        """What the Qwen-Image pipelines apply before decoding: z * std + mean."""
        mean, std = self._stats(z)
        return z * std + mean


class EncoderGraph(nn.Module):
    """ONNX wrapper: `sample` (B, 3, 1, H, W) → `latent_parameters` (B, 2*z_dim, 1, H/8, W/8)."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, sample):
        return self.vae.encode_parameters(sample)


class DecoderGraph(nn.Module):
    """ONNX wrapper: `latent_sample` (B, z_dim, 1, h, w) → `sample` (B, 3, 1, 8h, 8w) in [-1, 1]."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent_sample):
        return self.vae.decode(latent_sample)


def _pin_time_axis(path):
    """The causal convs' Pad amounts are computed in-graph (torch 1.13 builds them with Slice ops it does not
    fold), so ONNX shape inference loses the output's time axis. It is 1 for the static T = 1 input: say so."""
    import onnx

    model = onnx.load(path)
    for out in model.graph.output:
        dim = out.type.tensor_type.shape.dim[2]
        if not dim.dim_value:
            dim.Clear()
            dim.dim_value = 1
    onnx.save(model, path)


def export_onnx(vae, out_dir, opset=17, example_hw=(64, 48), single_frame_2d=False, prefix="vae"):
    """Writes <prefix>_encoder.onnx and <prefix>_decoder.onnx (float32, weights inline) to out_dir and returns
    their paths. single_frame_2d exports the causal convs in their Conv2d form (see CausalConv3d)."""
    os.makedirs(out_dir, exist_ok=True)
    h, w = example_hw
    r = vae.spatial_compression_ratio
    enc_path = os.path.join(out_dir, f"{prefix}_encoder.onnx")
    dec_path = os.path.join(out_dir, f"{prefix}_decoder.onnx")
    axes = {0: "batch", 3: "height", 4: "width"}
    lat_axes = {0: "batch", 3: "latent_height", 4: "latent_width"}
    vae.set_single_frame_2d(single_frame_2d)
    try:
        _export_pair(vae, enc_path, dec_path, opset, h, w, r, axes, lat_axes)
    finally:
        vae.set_single_frame_2d(False)
    for path in (enc_path, dec_path):
        _pin_time_axis(path)
    return enc_path, dec_path


def _export_pair(vae, enc_path, dec_path, opset, h, w, r, axes, lat_axes):
    with torch.no_grad():
        torch.onnx.export(EncoderGraph(vae).eval(), (torch.zeros(1, 3, 1, h, w),), enc_path,
                          input_names=["sample"], output_names=["latent_parameters"],
                          dynamic_axes={"sample": axes, "latent_parameters": lat_axes},
                          opset_version=opset, do_constant_folding=True)
        torch.onnx.export(DecoderGraph(vae).eval(), (torch.zeros(1, vae.z_dim, 1, h // r, w // r),), dec_path,
                          input_names=["latent_sample"], output_names=["sample"],
                          dynamic_axes={"latent_sample": lat_axes, "sample": axes},
                          opset_version=opset, do_constant_folding=True)


# ----------------------------------------------------------------------------------------------------------------
# Self-check
# ----------------------------------------------------------------------------------------------------------------

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE_KEYS = os.path.join(HERE, "reference-keys", "vae.txt")
WORK = "/tmp/qwen_vae_check"
ORT_WEB = "/tmp/qtok/node_modules/onnxruntime-web"

NODE_RUNNER = r"""
const fs = require('fs');
const [, , modulePath, modelPath, inName, outName, inBin, shapeText, outBin] = process.argv;
const ort = require(modulePath);
ort.env.wasm.numThreads = 1;
(async () => {
  const raw = fs.readFileSync(inBin);
  const data = new Float32Array(new Uint8Array(raw).buffer);
  const dims = shapeText.split(',').map(Number);
  const session = await ort.InferenceSession.create(new Uint8Array(fs.readFileSync(modelPath)),
                                                    {executionProviders: ['wasm']});
  const result = await session.run({[inName]: new ort.Tensor('float32', data, dims)});
  const out = result[outName];
  fs.writeFileSync(outBin, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  console.log('  onnxruntime-web ' + ort.env.versions.web + ': ' + outName + ' dims [' + out.dims.join(', ') + ']');
})().catch((e) => { console.error(e); process.exit(1); });
"""


def read_reference_keys(path):
    keys = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, shape = line.split()
            keys[name] = tuple(int(s) for s in shape.split(","))
    return keys


def check_keys():
    ref = read_reference_keys(REFERENCE_KEYS)
    vae = AutoencoderKLQwenImage()
    own = {k: tuple(v.shape) for k, v in vae.state_dict().items()}
    missing = sorted(set(ref) - set(own))
    extra = sorted(set(own) - set(ref))
    wrong = sorted(k for k in set(ref) & set(own) if ref[k] != own[k])
    for k in missing:
        print(f"  missing  {k} {ref[k]}")
    for k in extra:
        print(f"  extra    {k} {own[k]}")
    for k in wrong:
        print(f"  shape    {k}: ours {own[k]}, reference {ref[k]}")
    n_params = sum(v.numel() for v in vae.state_dict().values())
    print(f"(a) default config: {len(own)} tensors, {n_params / 1e6:.1f} M parameters; reference lists {len(ref)}: "
          f"{len(missing)} missing, {len(extra)} extra, {len(wrong)} shape mismatches")
    return not (missing or extra or wrong)


def check_semantics():
    ok = True
    # nearest == nearest-exact for an exact factor of 2, even and odd sizes
    t = torch.randn(2, 3, 5, 6)
    same = torch.equal(F.interpolate(t, scale_factor=2.0, mode="nearest"),
                       F.interpolate(t, scale_factor=2.0, mode="nearest-exact"))
    print(f"    2x 'nearest' == 'nearest-exact': {same}")
    ok &= same
    # a depth-3 causal conv on one frame uses only its last temporal tap (padding on the past side only)
    conv = CausalConv3d(4, 5, 3, padding=1)
    x = torch.randn(1, 4, 1, 7, 6)
    with torch.no_grad():
        got = conv(x)[:, :, 0]
        want = F.conv2d(x[:, :, 0], conv.weight[:, :, -1], conv.bias, padding=1)
    err = (got - want).abs().max().item()
    print(f"    causal conv, T=1 vs last-tap conv2d: max |diff| {err:.2e}")
    ok &= err < 1e-5
    return ok


def small_vae(seed=0):
    torch.manual_seed(seed)
    vae = AutoencoderKLQwenImage(base_dim=16).eval()
    with torch.no_grad():
        for name, p in vae.named_parameters():
            if name.endswith("gamma"):  # default init leaves them at 1: make the check see them
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
    return vae


def check_small(vae):
    x = torch.rand(1, 3, 1, 64, 48) * 2 - 1
    with torch.no_grad():
        params = vae.encode_parameters(x)
        mean = vae.encode_mean(x)
        img = vae.decode(mean)
    ok = (tuple(params.shape) == (1, 32, 1, 8, 6) and tuple(mean.shape) == (1, 16, 1, 8, 6)
          and tuple(img.shape) == (1, 3, 1, 64, 48) and torch.equal(mean, params[:, :16])
          and img.abs().max().item() <= 1.0 and torch.isfinite(img).all().item())
    print(f"(b) small config (base_dim 16): encode_parameters {tuple(params.shape)}, encode_mean "
          f"{tuple(mean.shape)}, decode {tuple(img.shape)} in [{img.min().item():.3f}, {img.max().item():.3f}]")
    with torch.no_grad():
        vae.set_single_frame_2d(True)
        params_2d, img_2d = vae.encode_parameters(x), vae.decode(mean)
        vae.set_single_frame_2d(False)
    d_enc = (params_2d - params).abs().max().item()
    d_dec = (img_2d - img).abs().max().item()
    print(f"    single_frame_2d form vs 3-D form: encoder max |diff| {d_enc:.2e}, decoder {d_dec:.2e}")
    ok &= d_enc < 1e-4 and d_dec < 1e-4
    try:
        vae.encode_mean(torch.zeros(1, 3, 5, 64, 48))
        ok = False
        print("    T=5 was not refused")
    except ValueError:
        pass
    return ok


def run_ort_web(model, in_name, out_name, x, out_shape):
    os.makedirs(WORK, exist_ok=True)
    runner = os.path.join(WORK, "ort_run.js")
    with open(runner, "w", encoding="utf-8") as f:
        f.write(NODE_RUNNER)
    in_bin, out_bin = os.path.join(WORK, "in.bin"), os.path.join(WORK, "out.bin")
    if os.path.exists(out_bin):
        os.remove(out_bin)
    x.numpy().astype(np.float32).tofile(in_bin)
    shape = ",".join(str(d) for d in x.shape)
    rc = os.system(f"node {runner} {ORT_WEB} {model} {in_name} {out_name} {in_bin} {shape} {out_bin}")
    if rc != 0 or not os.path.exists(out_bin):
        return None
    return np.fromfile(out_bin, dtype=np.float32).reshape(out_shape)


def check_onnx(vae):
    import onnx

    pairs = [export_onnx(vae, WORK), export_onnx(vae, WORK, single_frame_2d=True, prefix="vae2d")]
    ok = True
    for path in pairs[0] + pairs[1]:
        model = onnx.load(path)
        onnx.checker.check_model(model)
        ops = sorted({n.op_type for n in model.graph.node})
        io = [(v.name, [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim])
              for v in list(model.graph.input) + list(model.graph.output)]
        print(f"(c) {path}: onnx.checker ok; io {io}; ops {ops}")
    if not (os.path.isdir(ORT_WEB) and os.system("node --version > /dev/null 2>&1") == 0):
        print("    onnxruntime-web/node not available: runtime comparison skipped")
        return ok
    # a different batch and size from the export's example, to exercise the dynamic axes
    torch.manual_seed(1)
    x = torch.rand(2, 3, 1, 32, 40) * 2 - 1
    with torch.no_grad():
        want_params = vae.encode_parameters(x).numpy()
        z = torch.randn(2, 16, 1, 4, 5)
        want_img = vae.decode(z).numpy()
    for enc_path, dec_path in pairs:
        got_params = run_ort_web(enc_path, "sample", "latent_parameters", x, want_params.shape)
        got_img = run_ort_web(dec_path, "latent_sample", "sample", z, want_img.shape)
        for path, got, want in ((enc_path, got_params, want_params), (dec_path, got_img, want_img)):
            name = os.path.basename(path)
            if got is None:
                print(f"    {name}: onnxruntime-web run failed")
                ok = False
                continue
            err = float(np.abs(got - want).max())
            scale = float(np.abs(want).max())
            print(f"    {name}: max |onnx - torch (3-D form)| {err:.2e} (max |torch| {scale:.3f})")
            ok &= err <= 1e-4 * max(1.0, scale)
    return ok


def main():
    torch.set_num_threads(1)
    results = {"keys": check_keys()}
    print("    semantics:")
    results["semantics"] = check_semantics()
    vae = small_vae()
    results["small"] = check_small(vae)
    results["onnx"] = check_onnx(vae)
    failed = [k for k, v in results.items() if not v]
    print("FAILED: " + ", ".join(failed) if failed else "all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
