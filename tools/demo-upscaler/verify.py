"""Step 4: measure the trained upscaler (the PyTorch module exported to models/demo-upscaler/model.onnx).

1. The 200 held-out pairs of work/test.npz (seed 2, degraded like the training LR) and the same pairs with clean
   LR (plain 4x4 area average): PSNR (dB on [0, 255], per picture) of nearest x4, bicubic x4 (PIL) and ours
   (clamped to [0, 1] and rounded to 8 bits, as the service does); medians and means, per picture kind too.
2. Edge sharpness (see edge_width) on the held-out one-shape pictures, and on the demo model's own generated
   pictures (the 32 of models/demo/samples.png, recovered exactly from its nearest 80x80 thumbnails; no ground
   truth there), where it also measures how well the upscale area-averages back to the 64x64 picture.

Writes work/verify.json and models/demo-upscaler/samples.png. Exits 1 if ours does not beat bicubic by >= 3 dB
(median and mean, degraded test set).
"""
import json
import os
import sys
import time

import numpy as np
from PIL import Image, ImageDraw

import upscaler_common as uc

dc = uc.dc
BAR_DB = 3.0


def table(lr, hr, model):
    ours = uc.upscale_uint8(model, lr)
    rows = {"nearest": [], "bicubic": [], "ours": []}
    for l, h, o in zip(lr, hr, ours):
        rows["nearest"].append(uc.psnr(uc.resize(l, Image.NEAREST), h))
        rows["bicubic"].append(uc.psnr(uc.resize(l, Image.BICUBIC), h))
        rows["ours"].append(uc.psnr(o, h))
    return {k: np.array(v) for k, v in rows.items()}, ours


def summary(rows):
    return {k: {"median": round(float(np.median(v)), 2), "mean": round(float(np.mean(v)), 2)} for k, v in rows.items()}


def demo_pictures():
    """The 32 generated 64x64 pictures of models/demo/samples.png (tools/demo-model/verify.py's grid: 8 columns,
    cells 96 wide and 138 high, each picture pasted at (+8, +4) as an 80x80 PIL-nearest thumbnail)."""
    path = os.path.join(REPO_DEMO, "samples.png")
    if not os.path.exists(path):
        return None
    sheet = np.asarray(Image.open(path).convert("RGB"))
    if sheet.shape[1] != 768:
        return None
    # PIL nearest maps thumbnail pixel i to source floor((i + 0.5) * 64 / 80): keep the first i of every source j
    src = np.floor((np.arange(80) + 0.5) * 64 / 80).astype(int)
    pick = np.array([int(np.nonzero(src == j)[0][0]) for j in range(64)])
    out = []
    for row in range(sheet.shape[0] // 138):
        for col in range(8):
            x, y = col * 96 + 8, row * 138 + 4
            thumb = sheet[y:y + 80, x:x + 80]
            out.append(thumb[pick][:, pick])
    return np.stack(out)


REPO_DEMO = os.path.join(uc.REPO, "models", "demo")


def edge_width(img, lr):
    """Edge sharpness of a one-shape picture (or its x4 upscale): the pixels between 10 % and 90 % of the way from
    the background colour to the foreground colour (both read from the 64x64 `lr`: median of the centre 12x12
    and of the 3-px border), per pixel of edge length, in the picture's own pixels; the edge length is taken as a
    circle's, 2 sqrt(pi x area) for the area past 50 %. About 1 for a crisp anti-aliased edge. None if the two
    colours are too alike to tell."""
    f = lr.astype(np.float64)
    fg = np.median(f[26:38, 26:38].reshape(-1, 3), axis=0)
    bg = np.median(np.concatenate([f[:3].reshape(-1, 3), f[-3:].reshape(-1, 3), f[:, :3].reshape(-1, 3),
                                   f[:, -3:].reshape(-1, 3)]), axis=0)
    d = fg - bg
    if np.linalg.norm(d) < 60:
        return None
    t = ((img.astype(np.float64) - bg) @ d) / (d @ d)
    inside = np.sum(t > 0.5)
    if inside == 0:
        return None
    return float(np.sum((t > 0.1) & (t < 0.9)) / (2 * np.sqrt(np.pi * inside)))


def edge_widths(lrs, ups):
    """Mean edge width of each method's upscales, in LR pixels (output pixels / 4), over the pictures it reads."""
    out = {}
    for name, pics in ups.items():
        w = [edge_width(p, l) for p, l in zip(pics, lrs)]
        w = [x for x in w if x is not None]
        out[name] = round(float(np.mean(w)) / (1 if name == "lr" else uc.SCALE), 3)
    out["pictures"] = len(w)
    return out


def on_demo(model, pics):
    ours = uc.upscale_uint8(model, pics)
    bic = np.stack([uc.resize(p, Image.BICUBIC) for p in pics])
    out = {"pictures": len(pics), "edge_width_lr_px": edge_widths(pics, {"lr": pics, "bicubic": bic, "ours": ours}),
           "downscaled_back_psnr": {
               name: round(float(np.mean([uc.psnr(np.round(uc.area_down(u)).astype(np.uint8), l)
                                          for u, l in zip(ups, pics)])), 2)
               for name, ups in (("bicubic", bic), ("ours", ours))}}
    return out, ours


def blur_sweep(model, n=48, sigmas=(0.0, 0.5, 1.0, 1.5), seed=5):
    """Robustness to softness: n demo-geometry one-shape pairs (seed 5), the LR blurred with each sigma (no noise):
    PSNR against the HR and edge width of bicubic and ours (training blurs with sigma 0.2-1 half the time)."""
    rng = np.random.default_rng(seed)
    hrs = []
    for i in range(n):
        fg, bg = i % 8, (i % 8 + 1 + int(rng.integers(0, 7))) % 8
        shape = (dc.SHAPES[i % 3], dc.COLOUR_NAMES[fg], int(rng.integers(28, 53)), 32 + int(rng.integers(-4, 5)),
                 32 + int(rng.integers(-4, 5)))
        hrs.append(uc.draw(uc.HR, dc.COLOUR_NAMES[bg], [shape]))
    out = {}
    for sigma in sigmas:
        lr = []
        for h in hrs:
            x = uc.area_down(h)
            lr.append(np.clip(np.round(uc.gaussian_blur(x, sigma) if sigma > 0 else x), 0, 255).astype(np.uint8))
        lr = np.stack(lr)
        bic, ours = np.stack([uc.resize(l, Image.BICUBIC) for l in lr]), uc.upscale_uint8(model, lr)
        widths = edge_widths(lr, {"lr": lr, "bicubic": bic, "ours": ours})
        out[str(sigma)] = {"psnr_bicubic": round(float(np.mean([uc.psnr(b, h) for b, h in zip(bic, hrs)])), 2),
                           "psnr_ours": round(float(np.mean([uc.psnr(o, h) for o, h in zip(ours, hrs)])), 2),
                           "edge_width_lr_px": widths}
    return out


def crop(pic, centre, size=192):
    """A size x size window of a 256x256 picture around centre (y, x), kept inside the frame."""
    y, x = (int(min(max(c - size // 2, 0), uc.HR - size)) for c in centre)
    return pic[y:y + size, x:x + size]


def centre_of(hr):
    """Where the shapes are: the centroid of the pixels unlike the top-left pixel (the background)."""
    ys, xs = np.nonzero(np.abs(hr.astype(int) - hr[0, 0].astype(int)).sum(2) > 30)
    return (ys.mean(), xs.mean()) if len(ys) else (uc.HR / 2, uc.HR / 2)


def sheet(rows, path):
    """rows of (label, [nearest, bicubic, ours, hr or None]) pictures (all one size), column headings on top."""
    cell, pad, head, left = rows[0][1][0].shape[0], 4, 16, 86
    heads = ["LR, nearest x4", "bicubic x4", "ours", "HR (truth)"]
    img = Image.new("RGB", (left + 4 * (cell + pad), head + len(rows) * (cell + pad)), "white")
    d = ImageDraw.Draw(img)
    for c, h in enumerate(heads):
        d.text((left + c * (cell + pad) + 4, 2), h, fill="black")
    for r, (label, pics) in enumerate(rows):
        y = head + r * (cell + pad)
        for k, line in enumerate(label.split("\n")):
            d.text((4, y + 4 + 12 * k), line, fill="black")
        for c, p in enumerate(pics):
            if p is not None:
                img.paste(Image.fromarray(p), (left + c * (cell + pad), y))
    img.save(path, optimize=True)


def main():
    uc.set_threads()
    t0 = time.time()
    model = uc.load_model()
    test = np.load(os.path.join(uc.WORK, "test.npz"))
    lr, hr, kinds = test["lr"], test["hr"], test["kind"]
    t1 = time.time()
    rows, ours = table(lr, hr, model)
    per_picture_ms = (time.time() - t1) / len(lr) * 1000       # includes nearest/bicubic/PSNR, an upper bound
    clean_lr = np.stack([np.clip(np.round(uc.area_down(h)), 0, 255).astype(np.uint8) for h in hr])
    clean_rows, _ = table(clean_lr, hr, model)
    report = {"pairs": len(lr), "seed": 2, "degraded": summary(rows), "clean": summary(clean_rows), "per_kind": {}}
    for k in uc.KINDS:
        sel = kinds == k
        report["per_kind"][k] = {"pairs": int(sel.sum()),
                                 **{n: round(float(np.mean(v[sel])), 2) for n, v in rows.items()}}
    report["degraded"]["ours_minus_bicubic"] = {
        "median": round(float(np.median(rows["ours"]) - np.median(rows["bicubic"])), 2),
        "mean": round(float(np.mean(rows["ours"]) - np.mean(rows["bicubic"])), 2),
        "pictures_better": float(np.mean(rows["ours"] > rows["bicubic"]))}
    report["ms_per_picture_64"] = round(per_picture_ms, 1)

    one = kinds == "demo"
    report["edge_width_lr_px"] = edge_widths(lr[one], {
        "lr": lr[one], "bicubic": np.stack([uc.resize(l, Image.BICUBIC) for l in lr[one]]), "ours": ours[one],
        "hr": hr[one]})

    pics = demo_pictures()
    demo_ours = None
    if pics is not None:
        report["demo_model_pictures"], demo_ours = on_demo(model, pics)

    for name in ("degraded", "clean"):
        s = report[name]
        print(f"{name} LR, {len(lr)} held-out pairs: PSNR median / mean  nearest {s['nearest']['median']:.2f} / "
              f"{s['nearest']['mean']:.2f}  bicubic {s['bicubic']['median']:.2f} / {s['bicubic']['mean']:.2f}  "
              f"ours {s['ours']['median']:.2f} / {s['ours']['mean']:.2f} dB")
    print("per kind (mean dB):", json.dumps(report["per_kind"]))
    print("ours - bicubic:", report["degraded"]["ours_minus_bicubic"])
    print("edge width (LR px), held-out one-shape pictures:", json.dumps(report["edge_width_lr_px"]))
    if "demo_model_pictures" in report:
        print("demo model's pictures:", json.dumps(report["demo_model_pictures"]))

    report["blur_sweep"] = blur_sweep(model)
    print("blur sweep (48 one-shape pairs, LR blurred, no noise):")
    for sigma, r in report["blur_sweep"].items():
        w = r["edge_width_lr_px"]
        print(f"  sigma {sigma}: PSNR bicubic {r['psnr_bicubic']:.2f} ours {r['psnr_ours']:.2f} dB; edge width (LR px) "
              f"LR {w['lr']:.2f} bicubic {w['bicubic']:.2f} ours {w['ours']:.2f}")

    # samples (192x192 crops around the shapes): the first held-out pair of three kinds, one demo model picture
    picks = [int(np.nonzero(kinds == k)[0][0]) for k in ("demo", "two", "border")]
    rows_img = []
    for i in picks:
        c = centre_of(hr[i])
        rows_img.append((f"held-out\n({kinds[i]})\nbicubic\n{rows['bicubic'][i]:.1f} dB\nours\n{rows['ours'][i]:.1f} dB",
                         [crop(p, c) for p in (uc.resize(lr[i], Image.NEAREST), uc.resize(lr[i], Image.BICUBIC),
                                               ours[i], hr[i])]))
    if pics is not None:
        # the one with the smallest shape (fewest pixels unlike the top-left one), so the crop holds its outline
        small = int(np.argmin([(np.abs(p.astype(int) - p[0, 0].astype(int)).sum(2) > 60).sum() for p in pics]))
        for i in (small,):
            c = centre_of(uc.resize(pics[i], Image.NEAREST))
            rows_img.append(("demo model\noutput\n(no truth)",
                             [crop(p, c) for p in (uc.resize(pics[i], Image.NEAREST), uc.resize(pics[i], Image.BICUBIC),
                                                   demo_ours[i])] + [None]))
    path = os.path.join(uc.MODEL_DIR, "samples.png")
    sheet(rows_img, path)
    report["samples_png_bytes"] = os.path.getsize(path)
    report["seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(uc.WORK, "verify.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(f"samples.png {report['samples_png_bytes']} bytes; {report['seconds']} s")
    gain = report["degraded"]["ours_minus_bicubic"]
    ok = gain["median"] >= BAR_DB and gain["mean"] >= BAR_DB
    print("QUALITY BAR MET" if ok else f"QUALITY BAR MISSED (need +{BAR_DB} dB over bicubic, median and mean)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
