"""Step 2: train the compact SRVGG x4 network on random 32x32 LR patches (128x128 HR) of work/train.npz.

10 x MSE (PSNR's own measure; plain L1, also with a gradient term, collapsed to the nearest-neighbour upsample in
every trial, see README.md), AdamW with a one-cycle schedule (peak 2e-3), 2 threads, all seeded; random flips and
transposes. Every 500 steps: PSNR on work/val.npz against bicubic. Writes work/upscaler.pt.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import upscaler_common as uc

STEPS = int(os.environ.get("UPSCALER_STEPS", "3000"))
BATCH, PATCH = 16, 32
PEAK_LR = float(os.environ.get("UPSCALER_LR", "2e-3"))
GRAD_WEIGHT = 0.1
LOSS = os.environ.get("UPSCALER_LOSS", "mse")   # "l1": L1 + 0.1 x gradient L1 (collapses, see README)


def batch(lr, hr, rng):
    idx = rng.integers(0, len(lr), BATCH)
    ys, xs = rng.integers(0, uc.LR - PATCH + 1, BATCH), rng.integers(0, uc.LR - PATCH + 1, BATCH)
    s, p = uc.SCALE, PATCH
    x = np.stack([lr[i, y:y + p, x0:x0 + p] for i, y, x0 in zip(idx, ys, xs)])
    t = np.stack([hr[i, y * s:(y + p) * s, x0 * s:(x0 + p) * s] for i, y, x0 in zip(idx, ys, xs)])
    x = torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255
    t = torch.from_numpy(t).permute(0, 3, 1, 2).float() / 255
    flip = rng.integers(0, 2, 3)                     # one of the 8 flips/transposes for the whole batch
    if flip[0]:
        x, t = x.flip(-1), t.flip(-1)
    if flip[1]:
        x, t = x.flip(-2), t.flip(-2)
    if flip[2]:
        x, t = x.transpose(-1, -2), t.transpose(-1, -2)
    return x.contiguous(), t.contiguous()


def gradient_l1(out, target):
    dx = lambda z: z[..., :, 1:] - z[..., :, :-1]
    dy = lambda z: z[..., 1:, :] - z[..., :-1, :]
    return (dx(out) - dx(target)).abs().mean() + (dy(out) - dy(target)).abs().mean()


def validate(model, val):
    model.eval()
    ours = uc.upscale_uint8(model, val["lr"])
    model.train()
    p = [uc.psnr(o, h) for o, h in zip(ours, val["hr"])]
    b = [uc.psnr(uc.resize(l, Image.BICUBIC), h) for l, h in zip(val["lr"], val["hr"])]
    return float(np.mean(p)), float(np.mean(b))


def main():
    uc.set_threads()
    torch.set_flush_denormal(True)     # tiny weights/gradients late in the schedule must not slow the CPU
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    data = np.load(os.path.join(uc.WORK, "train.npz"))
    lr, hr = data["lr"], data["hr"]
    val = dict(np.load(os.path.join(uc.WORK, "val.npz")))
    model = uc.SRVGGNetCompact()
    print(f"{uc.ARCH} num_feat {uc.NUM_FEAT} num_conv {uc.NUM_CONV}: {uc.count_params(model)} parameters; "
          f"{STEPS} steps x {BATCH} patches {PATCH}x{PATCH}; {len(lr)} training pairs", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=PEAK_LR, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=PEAK_LR, total_steps=STEPS, pct_start=0.05)
    t0 = time.time()
    history, running = [], 0.0
    for step in range(1, STEPS + 1):
        x, t = batch(lr, hr, rng)
        out = model(x)
        if LOSS == "l1":
            loss = F.l1_loss(out, t) + GRAD_WEIGHT * gradient_l1(out, t)
        else:
            loss = F.mse_loss(out, t) * 10
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        running += loss.item()
        if step % 100 == 0:
            el = time.time() - t0
            print(f"step {step}: loss {running / 100:.5f}, lr {sched.get_last_lr()[0]:.2e}, {el / step:.3f} s/step, "
                  f"elapsed {el / 60:.1f} min, left {(STEPS - step) * el / step / 60:.1f} min", flush=True)
            running = 0.0
        if step % 500 == 0 or step == STEPS:
            ours, bicubic = validate(model, val)
            history.append({"step": step, "val_psnr": ours, "val_bicubic": bicubic, "minutes": (time.time() - t0) / 60})
            print(f"  validation (32 pairs): ours {ours:.2f} dB, bicubic {bicubic:.2f} dB", flush=True)
    minutes = (time.time() - t0) / 60
    torch.save({"model": model.state_dict(), "steps": STEPS, "batch": BATCH, "patch": PATCH, "minutes": minutes},
               os.path.join(uc.WORK, "upscaler.pt"))
    with open(os.path.join(uc.WORK, "train.json"), "w") as f:
        json.dump({"steps": STEPS, "batch": BATCH, "patch": PATCH, "minutes": minutes, "history": history}, f, indent=2)
    print(f"trained in {minutes:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
