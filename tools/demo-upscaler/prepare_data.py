"""Step 1: the picture pairs. Training set (seed 1), a small validation set watched during training (seed 3) and
the held-out test set of verify.py (seed 2): LR 64x64 uint8, HR 256x256 uint8 (see upscaler_common).

Writes work/train.npz, work/val.npz, work/test.npz (not committed).
"""
import os
import sys
import time

import numpy as np

import upscaler_common as uc

SETS = {"train": (int(os.environ.get("UPSCALER_PAIRS", "3000")), 1), "val": (32, 3), "test": (200, 2)}


def main():
    os.makedirs(uc.WORK, exist_ok=True)
    for name, (n, seed) in SETS.items():
        t0 = time.time()
        lr, hr, kinds, blur, noise = uc.make_pairs(n, seed)
        np.savez(os.path.join(uc.WORK, f"{name}.npz"), lr=lr, hr=hr, kind=kinds, blur=blur, noise=noise)
        share = ", ".join(f"{k} {np.mean(kinds == k):.0%}" for k in uc.KINDS)
        print(f"{name}: {n} pairs (seed {seed}) in {time.time() - t0:.1f} s; {share}; blurred {np.mean(blur > 0):.0%}, "
              f"noisy {np.mean(noise > 0):.0%}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
