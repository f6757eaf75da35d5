"""Shared by the demo upscaler's scripts: the picture pairs (HR 256x256 drawn like the demo's pictures, LR 64x64
their 4x4 area average, lightly degraded), the network (a compact SRVGG, Real-ESRGAN's SRVGGNetCompact layout)
and PSNR.

Run with Debian's own interpreter (/usr/bin/python3): the one that sees python3-torch, python3-onnx, numpy, PIL.
Everything is deterministic given a seed.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")                                  # data, checkpoint, logs (not committed)
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODEL_DIR = os.path.join(REPO, "models", "demo-upscaler")
PARITY_DIR = os.path.join(REPO, "src", "test", "resources", "upscaler-parity")
sys.path.append(os.path.join(REPO, "tools", "demo-model"))   # after ours: both folders have a verify.py
import demo_common as dc  # noqa: E402  (the demo's palette, shapes and geometry)

SCALE = 4
LR = dc.SIZE                 # 64
HR = LR * SCALE              # 256
NUM_FEAT, NUM_CONV = 40, 8   # channels and body convolutions
ARCH = "SRVGGNetCompact"

THREADS = 2


def set_threads():
    torch.set_num_threads(THREADS)


# ---------------------------------------------------------------- pictures

def draw(size, bg, shapes, units=dc.SIZE, supersample=4):
    """A picture `size` px square spanning `units` of the demo's pixels (64: the demo's frame): `shapes` =
    [(shape, fg, diameter, cx, cy)] in those units (scaled by size / units), drawn at `supersample` x and
    box-filtered, like demo_common.render does at 64 px."""
    k = size / units * supersample
    img = Image.new("RGB", (size * supersample, size * supersample), dc.COLOURS[bg])
    d = ImageDraw.Draw(img)
    for shape, fg, diameter, cx, cy in shapes:
        cx, cy, r = cx * k, cy * k, diameter * k / 2
        box = [cx - r, cy - r, cx + r, cy + r]
        if shape == "circle":
            d.ellipse(box, fill=dc.COLOURS[fg])
        elif shape == "square":
            d.rectangle(box, fill=dc.COLOURS[fg])
        else:
            d.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=dc.COLOURS[fg])
    return np.asarray(img.resize((size, size), Image.BOX), dtype=np.uint8)


KINDS = ("demo", "crop", "two", "border")
KIND_SHARE = (0.50, 0.20, 0.15, 0.15)


def random_picture(rng):
    """One HR picture (256x256 uint8) and its kind: 'demo' = the demo's own geometry (diameter 28-52, offset +-4
    px at 64); 'crop' = the same drawn on a larger canvas and cropped at random, so the shape sits off-centre;
    'two' = two smaller shapes; 'border' = a shape cut by the picture's border."""
    kind = KINDS[int(rng.choice(len(KINDS), p=KIND_SHARE))]
    bg = int(rng.integers(0, 8))
    other = lambda: dc.COLOUR_NAMES[(bg + int(rng.integers(1, 8))) % 8]    # any colour but the background's
    shape = lambda: dc.SHAPES[int(rng.integers(0, 3))]
    c = dc.SIZE / 2
    if kind == "demo":
        shapes = [(shape(), other(), int(rng.integers(28, 53)), c + int(rng.integers(-4, 5)),
                   c + int(rng.integers(-4, 5)))]
        return draw(HR, dc.COLOUR_NAMES[bg], shapes), kind
    if kind == "crop":
        margin = 20                                            # canvas 104 px at 64, cropped back to 64
        big = dc.SIZE + 2 * margin
        shapes = [(shape(), other(), int(rng.integers(28, 53)), big / 2 + int(rng.integers(-4, 5)),
                   big / 2 + int(rng.integers(-4, 5)))]
        canvas = draw(big * SCALE, dc.COLOUR_NAMES[bg], shapes, units=big)
        ox, oy = (int(rng.integers(0, 2 * margin + 1)) * SCALE for _ in range(2))   # whole LR pixels
        return np.ascontiguousarray(canvas[oy:oy + HR, ox:ox + HR]), kind
    if kind == "two":
        shapes = [(shape(), other(), int(rng.integers(14, 33)), float(rng.uniform(10, 54)),
                   float(rng.uniform(10, 54))) for _ in range(2)]
        return draw(HR, dc.COLOUR_NAMES[bg], shapes), kind
    side = int(rng.integers(0, 4))                            # border: the centre near one side, or beyond it
    along, across = float(rng.uniform(8, 56)), float(rng.uniform(-6, 12))
    cx, cy = [(across, along), (dc.SIZE - across, along), (along, across), (along, dc.SIZE - across)][side]
    shapes = [(shape(), other(), int(rng.integers(28, 61)), cx, cy)]
    return draw(HR, dc.COLOUR_NAMES[bg], shapes), kind


def area_down(hr):
    """HR uint8 (H, W, 3) -> float (H/4, W/4, 3) in [0, 255]: 4x4 area average (what the demo's render does)."""
    h, w, c = hr.shape
    return hr.reshape(h // SCALE, SCALE, w // SCALE, SCALE, c).astype(np.float64).mean(axis=(1, 3))


def gaussian_blur(img, sigma):
    """Separable gaussian blur of a float (H, W, 3) picture, edges replicated."""
    r = max(1, int(np.ceil(3 * sigma)))
    x = np.arange(-r, r + 1)
    k = np.exp(-x * x / (2 * sigma * sigma))
    k /= k.sum()
    p = np.pad(img, ((r, r), (r, r), (0, 0)), mode="edge")
    p = sum(k[i] * p[i:i + img.shape[0]] for i in range(2 * r + 1))
    return sum(k[i] * p[:, i:i + img.shape[1]] for i in range(2 * r + 1))


def degrade(lr, rng):
    """The demo model's pictures are slightly soft and noisy: half the time a gaussian blur (sigma 0.2-1 px),
    70 % of the time gaussian noise (std 0-3 / 255); always rounded to 8 bits, as a decoded picture is."""
    blur = float(rng.uniform(0.2, 1.0)) if rng.random() < 0.5 else 0.0
    noise = float(rng.uniform(0, 3)) if rng.random() < 0.7 else 0.0
    if blur > 0:
        lr = gaussian_blur(lr, blur)
    if noise > 0:
        lr = lr + rng.normal(0, noise, lr.shape)
    return np.clip(np.round(lr), 0, 255).astype(np.uint8), blur, noise


def make_pairs(n, seed):
    """n pairs: LR (n, 64, 64, 3) uint8, HR (n, 256, 256, 3) uint8, plus kind/blur/noise per pair."""
    rng = np.random.default_rng(seed)
    lrs = np.empty((n, LR, LR, 3), np.uint8)
    hrs = np.empty((n, HR, HR, 3), np.uint8)
    kinds, blurs, noises = [], [], []
    for i in range(n):
        hrs[i], kind = random_picture(rng)
        lrs[i], blur, noise = degrade(area_down(hrs[i]), rng)
        kinds.append(kind)
        blurs.append(blur)
        noises.append(noise)
    return lrs, hrs, np.array(kinds), np.array(blurs), np.array(noises)


# ---------------------------------------------------------------- the network

class SRVGGNetCompact(nn.Module):
    """Real-ESRGAN's compact x4 network (same module layout and state-dict keys as basicsr/realesrgan's
    SRVGGNetCompact with act_type='prelu'): conv 3->F, PReLU, num_conv x (conv F->F, PReLU), conv F->3*16,
    PixelShuffle(4), plus the nearest x4 upsample of the input. No clamp: the caller clamps."""

    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=NUM_FEAT, num_conv=NUM_CONV, upscale=SCALE):
        super().__init__()
        self.upscale = upscale
        self.body = nn.ModuleList()
        self.body.append(nn.Conv2d(num_in_ch, num_feat, 3, 1, 1))
        self.body.append(nn.PReLU(num_parameters=num_feat))
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(nn.PReLU(num_parameters=num_feat))
        self.body.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.upsampler = nn.PixelShuffle(upscale)
        # He initialisation for PReLU (slope 0.25): PyTorch's default shrinks the signal at every layer, and ten
        # layers deep the body starts out silent, so a short training would only ever learn its last layer;
        # the last convolution starts small, so the network starts near the nearest-neighbour upsample.
        convs = [m for m in self.body if isinstance(m, nn.Conv2d)]
        for conv in convs:
            nn.init.kaiming_normal_(conv.weight, a=0.25, mode="fan_in", nonlinearity="leaky_relu")
            nn.init.zeros_(conv.bias)
        with torch.no_grad():
            convs[-1].weight.mul_(0.1)

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        out = self.upsampler(out)
        return out + F.interpolate(x, scale_factor=float(self.upscale), mode="nearest")


def count_params(m):
    return sum(p.numel() for p in m.parameters())


def receptive_radius():
    """LR pixels each side that reach an output pixel: one per 3x3 convolution."""
    return NUM_CONV + 2


def load_model(path=None):
    m = SRVGGNetCompact().eval()
    m.load_state_dict(torch.load(path or os.path.join(WORK, "upscaler.pt"))["model"])
    return m


def upscale_uint8(model, lr):
    """(N, h, w, 3) uint8 -> (N, 4h, 4w, 3) uint8 through the network, clamped and rounded like the service."""
    with torch.no_grad():
        x = torch.from_numpy(lr).permute(0, 3, 1, 2).float() / 255
        out = model(x).clamp(0, 1) * 255
    return out.round().byte().permute(0, 2, 3, 1).numpy()


# ---------------------------------------------------------------- measures

def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 99.0 if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


def resize(lr, mode):
    """PIL's x4 resize of one uint8 picture (mode Image.NEAREST / Image.BICUBIC)."""
    h, w = lr.shape[:2]
    return np.asarray(Image.fromarray(lr).resize((w * SCALE, h * SCALE), mode))
