"""Shared definitions for the demo model: the picture language, its tokenizer, the networks, the noise
schedule, two samplers and the judge that scores a picture against its prompt.

Everything here is deterministic given a seed. Run with Debian's own interpreter (/usr/bin/python3): it is
the one that sees python3-torch, python3-onnx, python3-numpy and python3-pil.
"""
import json
import math
import os
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageDraw

from clip_bpe import bytes_to_unicode  # noqa: F401 (part of this module's interface)

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")          # data, checkpoints, logs (not committed)
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODEL_DIR = os.path.join(REPO, "models", "demo")

SIZE = 64                 # native picture size
LATENT = SIZE // 8        # 8x8 latents, f = 8
MAX_TOKENS = 77

COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 70, 220),
    "yellow": (240, 220, 40),
    "purple": (140, 50, 180),
    "orange": (250, 140, 30),
    "white": (245, 245, 245),
    "black": (20, 20, 20),
}
COLOUR_NAMES = list(COLOURS)
SHAPES = ["circle", "square", "triangle"]


def set_threads():
    torch.set_num_threads(max(1, os.cpu_count() or 1))


# ---------------------------------------------------------------- pictures

def render(shape, fg, bg, diameter, dx, dy, supersample=4):
    """Draws one picture: `shape` in colour `fg` on a plain `bg`, `diameter` px across, centre offset (dx, dy)."""
    s = supersample
    img = Image.new("RGB", (SIZE * s, SIZE * s), COLOURS[bg])
    d = ImageDraw.Draw(img)
    cx, cy = (SIZE / 2 + dx) * s, (SIZE / 2 + dy) * s
    r = diameter * s / 2
    box = [cx - r, cy - r, cx + r, cy + r]
    if shape == "circle":
        d.ellipse(box, fill=COLOURS[fg])
    elif shape == "square":
        d.rectangle(box, fill=COLOURS[fg])
    else:
        d.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=COLOURS[fg])
    return np.asarray(img.resize((SIZE, SIZE), Image.BOX), dtype=np.uint8)


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def caption(shape, fg, bg, form):
    """The four caption forms of the issue: 0 long with articles, 1 long without, 2 short with article, 3 bare."""
    if form == 0:
        return f"{article(fg)} {fg} {shape} on {article(bg)} {bg} background"
    if form == 1:
        return f"{fg} {shape} on {bg} background"
    if form == 2:
        return f"{article(fg)} {fg} {shape}"
    return f"{fg} {shape}"


def all_caption_words():
    words = []
    for s in SHAPES:
        for f in COLOUR_NAMES:
            for b in COLOUR_NAMES:
                if b != f:
                    for form in range(4):
                        words.extend(caption(s, f, b, form).split())
    return words


# ---------------------------------------------------------------- CLIP-format BPE tokenizer

BOS, EOS = "<|startoftext|>", "<|endoftext|>"
# CLIP's pre-tokenizer; ASCII stand-ins for \p{L} and \p{N}, which Python's re lacks (the Java side uses the Unicode form).
TOKEN_PATTERN = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|[^\s\w]+|_+",
                           re.IGNORECASE)


class ClipBpeTokenizer:
    """Reads vocab.json + merges.txt the way CLIP's tokenizer does; pads with <|endoftext|> like SD 1.x."""

    def __init__(self, folder):
        with open(os.path.join(folder, "vocab.json"), encoding="utf-8") as f:
            self.encoder = json.load(f)
        with open(os.path.join(folder, "merges.txt"), encoding="utf-8") as f:
            lines = f.read().strip().split("\n")[1:]
        self.ranks = {tuple(line.split()): i for i, line in enumerate(lines)}
        self.byte_encoder = bytes_to_unicode()
        self.cache = {BOS: BOS, EOS: EOS}
        self.bos, self.eos = self.encoder[BOS], self.encoder[EOS]

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = list(token[:-1]) + [token[-1] + "</w>"]
        while len(word) > 1:
            pairs = [(word[i], word[i + 1]) for i in range(len(word) - 1)]
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        self.cache[token] = " ".join(word)
        return self.cache[token]

    def ids(self, text):
        text = re.sub(r"\s+", " ", text).strip().lower()
        out = []
        for tok in TOKEN_PATTERN.findall(text):
            tok = "".join(self.byte_encoder[b] for b in tok.encode("utf-8"))
            out.extend(self.encoder[t] for t in self.bpe(tok).split(" "))
        return out

    def __call__(self, text):
        """[BOS] + ids + [EOS], truncated to 77 keeping EOS, padded with EOS."""
        ids = self.ids(text)[: MAX_TOKENS - 2]
        seq = [self.bos] + ids + [self.eos]
        return seq + [self.eos] * (MAX_TOKENS - len(seq))


def learn_bpe(words):
    """Plain BPE learning (most frequent adjacent pair first, ties broken alphabetically) until every word is one
    symbol. Returns the merges in rank order."""
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    vocab = {tuple(list(w[:-1]) + [w[-1] + "</w>"]): c for w, c in counts.items()}
    merges = []
    while True:
        pairs = {}
        for sym, c in vocab.items():
            for i in range(len(sym) - 1):
                pairs[(sym[i], sym[i + 1])] = pairs.get((sym[i], sym[i + 1]), 0) + c
        if not pairs:
            return merges
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        new_vocab = {}
        for sym, c in vocab.items():
            out, i = [], 0
            while i < len(sym):
                if i < len(sym) - 1 and (sym[i], sym[i + 1]) == best:
                    out.append(sym[i] + sym[i + 1])
                    i += 2
                else:
                    out.append(sym[i])
                    i += 1
            new_vocab[tuple(out)] = c
        vocab = new_vocab


# ---------------------------------------------------------------- networks

def norm(ch):
    return nn.GroupNorm(min(8, ch // 4), ch, eps=1e-5)


class VaeResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.n1, self.c1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.n2, self.c2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        h = self.c1(F.silu(self.n1(x)))
        h = self.c2(F.silu(self.n2(h)))
        return self.skip(x) + h


class VaeEncoder(nn.Module):
    """64x64x3 in [-1, 1] -> 8 channels at 1/8 size: mean (4) || log-variance (4). Space-to-depth first, so no
    convolution runs at full resolution (training on two CPU cores has to be cheap)."""

    def __init__(self, ch=(64, 96)):
        super().__init__()
        self.unshuffle = nn.PixelUnshuffle(4)
        self.conv_in = nn.Conv2d(48, ch[0], 3, padding=1)
        self.b0 = VaeResBlock(ch[0], ch[0])
        self.down = nn.Conv2d(ch[0], ch[1], 3, stride=2, padding=1)
        self.b1 = VaeResBlock(ch[1], ch[1])
        self.b2 = VaeResBlock(ch[1], ch[1])
        self.norm_out = norm(ch[1])
        self.conv_out = nn.Conv2d(ch[1], 8, 3, padding=1)

    def forward(self, x):
        h = self.b0(self.conv_in(self.unshuffle(x)))     # 1/4
        h = self.b2(self.b1(self.down(h)))                # 1/8
        return self.conv_out(F.silu(self.norm_out(h)))


class VaeDecoder(nn.Module):
    """4 channels at 1/8 size -> RGB in [-1, 1]; fully convolutional, so any multiple of 8 works. The last
    stage is depth-to-space, so no convolution runs at full resolution."""

    def __init__(self, ch=(96, 64, 32)):
        super().__init__()
        self.conv_in = nn.Conv2d(4, ch[0], 3, padding=1)
        self.b0 = nn.Sequential(VaeResBlock(ch[0], ch[0]), VaeResBlock(ch[0], ch[0]))
        self.up0 = nn.Conv2d(ch[0], ch[1], 3, padding=1)
        self.b1 = nn.Sequential(VaeResBlock(ch[1], ch[1]), VaeResBlock(ch[1], ch[1]))
        self.up1 = nn.Conv2d(ch[1], ch[2], 3, padding=1)
        self.b2 = VaeResBlock(ch[2], ch[2])
        self.norm_out = norm(ch[2])
        self.conv_out = nn.Conv2d(ch[2], 12, 3, padding=1)
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, z):
        h = self.b0(self.conv_in(z))                                                   # 1/8
        h = self.b1(self.up0(F.interpolate(h, scale_factor=2.0, mode="nearest")))      # 1/4
        h = self.b2(self.up1(F.interpolate(h, scale_factor=2.0, mode="nearest")))      # 1/2
        return self.shuffle(self.conv_out(F.silu(self.norm_out(h))))


class TextLayer(nn.Module):
    """Pre-LayerNorm transformer layer with causal self-attention (CLIP's layout)."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.n1, self.qkv, self.o = nn.LayerNorm(width), nn.Linear(width, 3 * width), nn.Linear(width, width)
        self.n2 = nn.LayerNorm(width)
        self.ff = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, h, mask):
        q, k, v = self.qkv(self.n1(h)).chunk(3, dim=-1)
        h = h + self.o(attention(q, k, v, self.heads, mask))
        return h + self.ff(self.n2(h))


class TextEncoder(nn.Module):
    """A small CLIP-style text transformer: causal self-attention over 77 tokens, final LayerNorm;
    pooled output is the state at the end-of-text token (the first position holding the highest id)."""

    def __init__(self, vocab_size, width=64, layers=2, heads=2):
        super().__init__()
        self.token = nn.Embedding(vocab_size, width)
        self.position = nn.Parameter(torch.randn(MAX_TOKENS, width) * 0.01)
        self.layers = nn.ModuleList([TextLayer(width, heads) for _ in range(layers)])
        self.final = nn.LayerNorm(width)
        self.register_buffer("mask", torch.triu(torch.full((MAX_TOKENS, MAX_TOKENS), -1e9), 1), persistent=False)

    def forward(self, input_ids):
        input_ids = input_ids.long()
        n = input_ids.shape[1]
        h = self.token(input_ids) + self.position[:n]
        mask = self.mask[:n, :n]
        for layer in self.layers:
            h = layer(h, mask)
        h = self.final(h)
        eos = input_ids.argmax(dim=1)
        pooled = h[torch.arange(h.shape[0]), eos]
        return h, pooled


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float().reshape(-1, 1) * freqs.reshape(1, -1)
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


class UnetResBlock(nn.Module):
    """Conv residual block modulated (scale/shift) by the time + pooled-text embedding."""

    def __init__(self, cin, cout, emb):
        super().__init__()
        self.n1, self.c1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(emb, 2 * cout)
        self.n2, self.c2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, e):
        h = self.c1(F.silu(self.n1(x)))
        scale, shift = self.emb(F.silu(e)).unsqueeze(-1).unsqueeze(-1).chunk(2, dim=1)
        h = self.n2(h) * (1 + scale) + shift
        h = self.c2(F.silu(h))
        return self.skip(x) + h


def attention(q, k, v, heads, mask=None):
    b, n, c = q.shape
    d = c // heads
    q = q.reshape(b, -1, heads, d).transpose(1, 2)
    k = k.reshape(b, -1, heads, d).transpose(1, 2)
    v = v.reshape(b, -1, heads, d).transpose(1, 2)
    s = q @ k.transpose(-1, -2) * (d ** -0.5)
    if mask is not None:
        s = s + mask
    w = torch.softmax(s, dim=-1)
    return (w @ v).transpose(1, 2).reshape(b, -1, c)


class SpatialAttention(nn.Module):
    """Self-attention over positions, then cross-attention to the text; used only at the lowest resolution."""

    def __init__(self, ch, ctx, heads=4):
        super().__init__()
        self.heads = heads
        self.n1, self.qkv, self.o1 = nn.LayerNorm(ch), nn.Linear(ch, 3 * ch), nn.Linear(ch, ch)
        self.n2, self.q, self.kv, self.o2 = nn.LayerNorm(ch), nn.Linear(ch, ch), nn.Linear(ctx, 2 * ch), nn.Linear(ch, ch)
        self.n3, self.ff = nn.LayerNorm(ch), nn.Sequential(nn.Linear(ch, 2 * ch), nn.GELU(), nn.Linear(2 * ch, ch))

    def forward(self, x, ctx):
        b, c, hh, ww = x.shape
        h = x.flatten(2).transpose(1, 2)
        q, k, v = self.qkv(self.n1(h)).chunk(3, dim=-1)
        h = h + self.o1(attention(q, k, v, self.heads))
        k, v = self.kv(ctx).chunk(2, dim=-1)
        h = h + self.o2(attention(self.q(self.n2(h)), k, v, self.heads))
        h = h + self.ff(self.n3(h))
        return h.transpose(1, 2).reshape(b, c, hh, ww)


class Unet(nn.Module):
    """Epsilon-predicting conditional UNet over 4-channel latents; three levels (1, 1/2, 1/4 of the latent),
    attention only at the lowest; the text also enters every block through an attention-pooled vector."""

    def __init__(self, ctx=64, ch=(48, 96, 96), emb=192):
        super().__init__()
        self.time = nn.Sequential(nn.Linear(64, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.pool_query = nn.Parameter(torch.randn(1, 1, ctx) * 0.02)
        self.pool_kv = nn.Linear(ctx, 2 * ctx)
        self.pool_out = nn.Linear(ctx, emb)
        self.conv_in = nn.Conv2d(4, ch[0], 3, padding=1)
        self.d0 = UnetResBlock(ch[0], ch[0], emb)
        self.down0 = nn.Conv2d(ch[0], ch[0], 3, stride=2, padding=1)
        self.d1 = UnetResBlock(ch[0], ch[1], emb)
        self.down1 = nn.Conv2d(ch[1], ch[1], 3, stride=2, padding=1)
        self.d2 = UnetResBlock(ch[1], ch[2], emb)
        self.a2 = SpatialAttention(ch[2], ctx)
        self.m1 = UnetResBlock(ch[2], ch[2], emb)
        self.am = SpatialAttention(ch[2], ctx)
        self.u2 = UnetResBlock(ch[2] + ch[2], ch[2], emb)
        self.ua2 = SpatialAttention(ch[2], ctx)
        self.up1 = nn.Conv2d(ch[2], ch[2], 3, padding=1)
        self.u1 = UnetResBlock(ch[2] + ch[1], ch[1], emb)
        self.up0 = nn.Conv2d(ch[1], ch[1], 3, padding=1)
        self.u0 = UnetResBlock(ch[1] + ch[0], ch[0], emb)
        self.norm_out = norm(ch[0])
        self.conv_out = nn.Conv2d(ch[0], 4, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states):
        ctx = encoder_hidden_states
        k, v = self.pool_kv(ctx).chunk(2, dim=-1)
        pooled = attention(self.pool_query.expand(ctx.shape[0], -1, -1), k, v, 1)[:, 0]
        # a scalar or [1] timestep broadcasts over the batch, a [batch] one is per sample
        e = self.time(timestep_embedding(timestep, 64)) + self.pool_out(pooled)
        h0 = self.d0(self.conv_in(sample), e)
        h1 = self.d1(self.down0(h0), e)
        h2 = self.a2(self.d2(self.down1(h1), e), ctx)
        h = self.am(self.m1(h2, e), ctx)
        h = self.ua2(self.u2(torch.cat([h, h2], 1), e), ctx)
        # upsample to the skip's own size, so latents whose sides are not multiples of 4 work too
        h = self.up1(F.interpolate(h, size=h1.shape[-2:], mode="nearest"))
        h = self.u1(torch.cat([h, h1], 1), e)
        h = self.up0(F.interpolate(h, size=h0.shape[-2:], mode="nearest"))
        h = self.u0(torch.cat([h, h0], 1), e)
        return self.conv_out(F.silu(self.norm_out(h)))


def count_params(m):
    return sum(p.numel() for p in m.parameters())


# ---------------------------------------------------------------- noise schedule and samplers

T = 1000


def alphas_cumprod():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, T, dtype=torch.float32) ** 2
    return torch.cumprod(1.0 - betas, dim=0)


def leading_timesteps(n, offset=1):
    return (np.arange(n) * (T // n))[::-1].copy() + offset


def sample(unet, encode_text, prompts, steps=20, guidance=7.5, sampler="ddim", seed=0, latent=LATENT):
    """Text-to-latent with SD 1.5's scheduler settings (leading spacing, steps_offset 1, set_alpha_to_one false)."""
    ac = alphas_cumprod().double()
    g = torch.Generator().manual_seed(seed)
    b = len(prompts)
    cond = encode_text(prompts)
    uncond = encode_text([""] * b)
    ts = leading_timesteps(steps)
    sigmas = ((1 - ac) / ac).sqrt().numpy()
    x = torch.randn(b, 4, latent, latent, generator=g, dtype=torch.float32)
    if sampler == "euler":
        sig = np.interp(ts.astype(np.float64), np.arange(T), sigmas)
        sig = np.append(sig, 0.0)
        x = x * float(np.sqrt(sig[0] ** 2 + 1))

    def eps(xin, t):
        if guidance > 1:
            out = unet(torch.cat([xin, xin]), torch.tensor(float(t)), torch.cat([uncond, cond]))
            u, c = out.chunk(2)
            return u + guidance * (c - u)
        return unet(xin, torch.tensor(float(t)), cond)

    with torch.no_grad():
        for i, t in enumerate(ts):
            if sampler == "ddim":
                e = eps(x, t)
                a_t = float(ac[t])
                prev = t - T // steps
                a_p = float(ac[prev]) if prev >= 0 else float(ac[0])
                x0 = (x - (1 - a_t) ** 0.5 * e) / a_t ** 0.5
                x = a_p ** 0.5 * x0 + (1 - a_p) ** 0.5 * e
            else:
                s = float(sig[i])
                e = eps(x / (s * s + 1) ** 0.5, t)
                x0 = x - s * e
                x = x + (x - x0) / s * (float(sig[i + 1]) - s)
    return x


# ---------------------------------------------------------------- the judge

def nearest_colour(rgb):
    names = COLOUR_NAMES
    pal = np.array([COLOURS[n] for n in names], dtype=np.float32)
    return names[int(np.argmin(((pal - np.asarray(rgb, dtype=np.float32)) ** 2).sum(1)))]


def judge(img):
    """Reads a 64x64 RGB picture: foreground = nearest palette colour of the central 12x12 px (median),
    background = nearest palette colour of the 3-px border (median), shape from the fill ratio of the
    foreground-coloured pixels inside their bounding box (triangle 0.5, circle 0.785, square 1.0;
    thresholds halfway: < 0.64 triangle, < 0.89 circle, else square)."""
    img = np.asarray(img, dtype=np.float32)
    h, w, _ = img.shape
    c = img[h // 2 - 6:h // 2 + 6, w // 2 - 6:w // 2 + 6].reshape(-1, 3)
    fg = nearest_colour(np.median(c, axis=0))
    border = np.concatenate([img[:3].reshape(-1, 3), img[-3:].reshape(-1, 3),
                             img[:, :3].reshape(-1, 3), img[:, -3:].reshape(-1, 3)])
    bg = nearest_colour(np.median(border, axis=0))
    if fg == bg:
        return fg, bg, None, 0.0
    f, b = np.array(COLOURS[fg], np.float32), np.array(COLOURS[bg], np.float32)
    mask = ((img - f) ** 2).sum(2) < ((img - b) ** 2).sum(2)
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return fg, bg, None, 0.0
    area = (ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1)
    fill = mask.sum() / area
    shape = "triangle" if fill < 0.64 else "circle" if fill < 0.89 else "square"
    return fg, bg, shape, float(fill)


def to_image(x):
    """[-1, 1] CHW tensor -> uint8 HWC, the way diffusers post-processes."""
    x = (x.clamp(-1, 1) / 2 + 0.5) * 255
    return x.round().byte().permute(1, 2, 0).numpy()
