"""Measures the Qwen demo model on the held-out (shape, foreground, background) combinations, which no training
picture shows, in English and Chinese: PyTorch sampler (sample.py, QwenImagePipeline's procedure), 64x64,
20 steps, true_cfg_scale 4, negative " ", each picture judged by the SD demo's judge (demo_common.judge, mirrored
by the Java DemoPictureJudge). Targets: foreground >= 90 %, background >= 90 %, shape >= 70 % per language.

Writes work/verify.json and models/demo-qwen/samples.png; exits 1 if a target is missed.
"""
import json
import os
import sys
import textwrap
import time

import torch
from PIL import Image, ImageDraw

import qwen_data as qd
import sample as qs

STEPS, CFG = 20, 4.0


def run(model, specs, seed):
    """specs: (lang, s, f, b, form); returns per-spec judgements and the pictures."""
    texts = [qd.caption(*sp) for sp in specs]
    imgs = []
    for i in range(0, len(texts), 48):
        out = qs.generate(model, texts[i:i + 48], steps=STEPS, true_cfg_scale=CFG, negative_prompt=" ", seed=seed + i)
        imgs.extend(qd.dc.to_image(x) for x in out)
    return texts, imgs, [qd.dc.judge(im) for im in imgs]


def score(specs, judged):
    fg = bg = shape = nbg = 0
    for (lang, s, f, b, form), (jf, jb, js, _) in zip(specs, judged):
        fg += jf == qd.dc.COLOUR_NAMES[f]
        shape += js == qd.dc.SHAPES[s]
        if qd.has_background(lang, form):
            nbg += 1
            bg += jb == qd.dc.COLOUR_NAMES[b]
    n = len(specs)
    return {"prompts": n, "foreground": fg / n, "background": bg / nbg if nbg else None, "shape": shape / n}


def seen_bg(s, f, b):
    held = set(qd.held_out())
    for k in range(1, 8):
        c = (b + k) % 8
        if c != f and (s, f, c) not in held:
            return c


def grid(texts, images, path, cols=8):
    cell, label = 96, 42
    rows = (len(images) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * cell, rows * (cell + label)), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (t, img) in enumerate(zip(texts, images)):
        x, y = (i % cols) * cell, (i // cols) * (cell + label)
        sheet.paste(Image.fromarray(img).resize((80, 80), Image.NEAREST), (x + 8, y + 4))
        for k, line in enumerate(textwrap.wrap(t, 16)[:3]):    # the default font has no CJK glyphs
            draw.text((x + 4, y + 86 + k * 12), line if line.isascii() else "(zh)", fill="black")
    sheet.save(path, optimize=True)


def main():
    torch.set_num_threads(2)
    t0 = time.time()
    model = qs.load()
    held = qd.held_out()
    report = {"held_out_combinations": [[qd.dc.SHAPES[s], qd.dc.COLOUR_NAMES[f], qd.dc.COLOUR_NAMES[b]]
                                        for s, f, b in held],
              "steps": STEPS, "true_cfg_scale": CFG, "negative_prompt": " "}
    sets = {
        # long captions (they name the background): 48 per language
        "en": [("en", s, f, b, form) for form in (0, 1) for s, f, b in held],
        "zh": [("zh", s, f, b, 0) for s, f, b in held] * 2,
        # short captions (no background named): foreground and shape only
        "en_short": [("en", s, f, b, form) for form in (2, 3) for s, f, b in held],
        "zh_short": [("zh", s, f, b, 1) for s, f, b in held] * 2,
        # for comparison: trained combinations (same shape and foreground, the next background that was trained)
        "en_seen": [("en", s, f, seen_bg(s, f, b), 0) for s, f, b in held] * 2,
    }
    keep = None
    for name, specs in sets.items():
        texts, imgs, judged = run(model, specs, seed={"en": 100, "zh": 200, "en_short": 300, "zh_short": 400, "en_seen": 500}[name])
        report[name] = score(specs, judged)
        print(name, report[name], flush=True)
        if keep is None:
            keep = ([], [])
        if name != "en_seen":
            keep[0].extend(texts[:16])
            keep[1].extend(imgs[:16])
    report["minutes"] = (time.time() - t0) / 60
    os.makedirs(qd.WORK, exist_ok=True)
    with open(os.path.join(qd.WORK, "verify.json"), "w") as f:
        json.dump(report, f, indent=2)
    grid(keep[0], keep[1], os.path.join(qd.MODEL_DIR, "samples.png"))
    ok = all(report[l]["foreground"] >= 0.9 and report[l]["background"] >= 0.9 and report[l]["shape"] >= 0.7
             for l in ("en", "zh"))
    print("TARGETS MET" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
