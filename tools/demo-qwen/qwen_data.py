"""The Qwen demo's picture language: the SD demo's pictures, colours, shapes and judge (imported from
tools/demo-model/demo_common.py), captions in English and Chinese, Qwen-Image's prompt template and the
held-out (shape, foreground, background) combinations that are never trained on."""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools", "demo-model"))
import demo_common as dc  # noqa: E402  (render, COLOURS, COLOUR_NAMES, SHAPES, caption, judge, to_image)

WORK = os.path.join(HERE, "work")                 # data, checkpoints (not committed)
MODEL_DIR = os.path.join(REPO, "models", "demo-qwen")
SIZE = dc.SIZE

TEMPLATE = ("<|im_start|>system\nDescribe the image by detailing the color, shape, size, texture, quantity, text, "
            "spatial relationships of the objects and background:<|im_end|>\n<|im_start|>user\n{}<|im_end|>\n"
            "<|im_start|>assistant\n")
DROP_IDX = 34

ZH_COLOURS = {"red": "红色", "green": "绿色", "blue": "蓝色", "yellow": "黄色", "purple": "紫色", "orange": "橙色",
              "white": "白色", "black": "黑色"}
ZH_SHAPES = {"circle": "圆形", "square": "正方形", "triangle": "三角形"}
EN_FORMS = 4          # dc.caption: 0 "a red circle on a blue background", 1 "red circle on blue background",
ZH_FORMS = 2          #             2 "a red circle", 3 "red circle";  zh: 0 "蓝色背景上的红色圆形", 1 "红色圆形"


def caption(lang, s, f, b, form):
    """s, f, b are indices into dc.SHAPES / dc.COLOUR_NAMES."""
    shape, fg, bg = dc.SHAPES[s], dc.COLOUR_NAMES[f], dc.COLOUR_NAMES[b]
    if lang == "en":
        return dc.caption(shape, fg, bg, form)
    if form == 0:
        return f"{ZH_COLOURS[bg]}背景上的{ZH_COLOURS[fg]}{ZH_SHAPES[shape]}"
    return f"{ZH_COLOURS[fg]}{ZH_SHAPES[shape]}"


def has_background(lang, form):
    return form < 2 if lang == "en" else form == 0


def held_out():
    """One background per (shape, foreground) pair, 24 of the 168 combinations: never drawn for training, in
    either language. Every colour still appears as foreground and background, with every shape, elsewhere."""
    rng = np.random.default_rng(2024)
    out = set()
    for s in range(3):
        for f in range(8):
            out.add((s, f, (f + int(rng.integers(1, 8))) % 8))
    return sorted(out)


def all_captions():
    """Every distinct caption of the language (both languages, all forms), plus "" and " "."""
    caps = []
    for lang, forms in (("en", EN_FORMS), ("zh", ZH_FORMS)):
        for s in range(3):
            for f in range(8):
                for b in range(8):
                    if b != f:
                        for form in range(forms):
                            c = caption(lang, s, f, b, form)
                            if c not in caps:
                                caps.append(c)
    return caps + ["", " "]


def make_pictures(n, seed=1234):
    """n training pictures (shape, colours, size 28-52 px, offset +-4 px), held-out combinations excluded."""
    rng = np.random.default_rng(seed)
    banned = set(held_out())
    shape, fg, bg = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    images = np.empty((n, SIZE, SIZE, 3), np.uint8)
    i = 0
    while i < n:
        s, f = int(rng.integers(0, 3)), int(rng.integers(0, 8))
        b = (f + int(rng.integers(1, 8))) % 8
        if (s, f, b) in banned:
            continue
        d, dx, dy = int(rng.integers(28, 53)), int(rng.integers(-4, 5)), int(rng.integers(-4, 5))
        images[i] = dc.render(dc.SHAPES[s], dc.COLOUR_NAMES[f], dc.COLOUR_NAMES[b], d, dx, dy)
        shape[i], fg[i], bg[i] = s, f, b
        i += 1
    return images, shape, fg, bg


def load_ids():
    """caption -> Qwen2.5 token ids of the templated caption (written by tokenize_captions.mjs)."""
    with open(os.path.join(HERE, "caption_ids.json"), encoding="utf-8") as fh:
        return json.load(fh)


if __name__ == "__main__":
    # writes captions.json, the input of tokenize_captions.mjs
    with open(os.path.join(HERE, "captions.json"), "w", encoding="utf-8") as fh:
        json.dump({"template": TEMPLATE, "captions": all_captions()}, fh, ensure_ascii=False, indent=0)
    print(f"{len(all_captions())} captions -> captions.json")
