"""Step 2: the VAE (64x64x3 <-> 8x8x4). Loss: pixel MSE + an edge term (MSE of image gradients, which keeps
square corners square) + a small KL term that keeps the latent space smooth for diffusion.

Writes work/vae.pt and work/latents.npz (per-picture latent mean and std, already scaled by the measured
scaling factor), which the UNet trains on.
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import demo_common as dc

STEPS = int(os.environ.get("DEMO_VAE_STEPS", "2400"))
BATCH = 64
KL_WEIGHT = 1e-4
EDGE_WEIGHT = 1.0


def to_tensor(images):
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def grads(x):
    return x[..., 1:, :] - x[..., :-1, :], x[..., :, 1:] - x[..., :, :-1]


def main():
    dc.set_threads()
    torch.manual_seed(1)
    data = np.load(os.path.join(dc.WORK, "data.npz"))
    images = data["images"]
    n = len(images)
    enc, dec = dc.VaeEncoder(), dc.VaeDecoder()
    print(f"VAE parameters: encoder {dc.count_params(enc)}, decoder {dc.count_params(dec)}", flush=True)
    params = list(enc.parameters()) + list(dec.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=STEPS, pct_start=0.05)
    rng = np.random.default_rng(2)
    t0 = time.time()
    for step in range(1, STEPS + 1):
        x = to_tensor(images[rng.integers(0, n, BATCH)])
        p = enc(x)
        mean, logvar = p[:, :4], p[:, 4:].clamp(-30, 20)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        y = dec(z)
        mse = F.mse_loss(y, x)
        (gy, gx), (ty, tx) = grads(y), grads(x)
        edge = F.mse_loss(gy, ty) + F.mse_loss(gx, tx)
        kl = 0.5 * (mean ** 2 + logvar.exp() - 1 - logvar).mean()
        loss = mse + EDGE_WEIGHT * edge + KL_WEIGHT * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == 1:
            print(f"step {step} mse {mse.item():.5f} edge {edge.item():.5f} kl {kl.item():.2f} "
                  f"{(time.time() - t0) / step:.3f} s/step", flush=True)
    torch.save({"encoder": enc.state_dict(), "decoder": dec.state_dict()}, os.path.join(dc.WORK, "vae.pt"))

    enc.eval()
    dec.eval()
    means, stds = [], []
    with torch.no_grad():
        for i in range(0, n, 500):
            p = enc(to_tensor(images[i:i + 500]))
            means.append(p[:, :4])
            stds.append(torch.exp(0.5 * p[:, 4:].clamp(-30, 20)))
        means, stds = torch.cat(means), torch.cat(stds)
        scale = 1.0 / float((means + stds * torch.randn_like(stds)).std())
        # judge the VAE's own reconstructions: the ceiling for the whole model's shape accuracy
        idx = np.arange(0, n, n // 480)[:480]
        rec = dec(means[idx])
        ok = {"fg": 0, "bg": 0, "shape": 0}
        for j, i in enumerate(idx):
            fg, bg, shape, _ = dc.judge(dc.to_image(rec[j]))
            ok["fg"] += fg == dc.COLOUR_NAMES[data["fg"][i]]
            ok["bg"] += bg == dc.COLOUR_NAMES[data["bg"][i]]
            ok["shape"] += shape == dc.SHAPES[data["shape"][i]]
        mse = F.mse_loss(rec, to_tensor(images[idx])).item()
    print(f"scaling_factor {scale:.5f}; reconstruction mse {mse:.5f}; judged on {len(idx)} reconstructions: "
          + ", ".join(f"{k} {100 * v / len(idx):.1f}%" for k, v in ok.items()), flush=True)
    np.savez(os.path.join(dc.WORK, "latents.npz"), mean=(means * scale).numpy(), std=(stds * scale).numpy(),
             scale=np.float32(scale))
    print(f"VAE done in {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    sys.exit(main())
