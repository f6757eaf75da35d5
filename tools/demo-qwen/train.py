"""Trains the Qwen demo model from nothing (seeded, reproducible). Steps, each its own sub-command:

  data   work/data.npz: training pictures (held-out combinations excluded)
  vae    work/vae.pt, work/latents.npz: the 16-channel VAE; latents_mean / latents_std over the data
  dit    work/dit.pt: text encoder + transformer, flow matching on the normalised latents

Run with Debian's /usr/bin/python3. Environment knobs: QDEMO_IMAGES, QDEMO_VAE_STEPS, QDEMO_DIT_STEPS,
QDEMO_DIT_BATCH, QDEMO_DIT_MINUTES (stop early, keeping the last checkpoint).
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import qwen_data as qd
import qwen_modules as qm

torch.set_num_threads(2)
N_IMAGES = int(os.environ.get("QDEMO_IMAGES", "30000"))
VAE_STEPS = int(os.environ.get("QDEMO_VAE_STEPS", "1500"))
VAE_BATCH = 64


def to_tensor(images):
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def step_data():
    os.makedirs(qd.WORK, exist_ok=True)
    t0 = time.time()
    images, shape, fg, bg = qd.make_pictures(N_IMAGES)
    np.savez(os.path.join(qd.WORK, "data.npz"), images=images, shape=shape, fg=fg, bg=bg)
    print(f"{N_IMAGES} pictures in {time.time() - t0:.1f} s; held out: {qd.held_out()}", flush=True)


def grads(x):
    return x[..., 1:, :] - x[..., :-1, :], x[..., :, 1:] - x[..., :, :-1]


def step_vae():
    torch.manual_seed(1)
    data = np.load(os.path.join(qd.WORK, "data.npz"))
    images = data["images"]
    n = len(images)
    vae = qm.AutoencoderKLQwenImage()
    print(f"VAE parameters: {sum(p.numel() for p in vae.parameters())}", flush=True)
    opt = torch.optim.AdamW(vae.parameters(), lr=1e-3, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=VAE_STEPS, pct_start=0.05)
    rng = np.random.default_rng(2)
    t0 = time.time()
    for step in range(1, VAE_STEPS + 1):
        x = to_tensor(images[rng.integers(0, n, VAE_BATCH)])
        p = vae.encode(x)
        mean, logvar = p[:, :16], p[:, 16:].clamp(-30, 20)
        y = vae.decode(mean + torch.exp(0.5 * logvar) * torch.randn_like(mean))
        mse = F.mse_loss(y, x)
        (gy, gx), (ty, tx) = grads(y), grads(x)
        edge = F.mse_loss(gy, ty) + F.mse_loss(gx, tx)
        kl = 0.5 * (mean ** 2 + logvar.exp() - 1 - logvar).mean()
        loss = mse + edge + 1e-4 * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == 1:
            print(f"vae step {step} mse {mse.item():.5f} edge {edge.item():.5f} kl {kl.item():.2f} "
                  f"{(time.time() - t0) / step:.3f} s/step", flush=True)
    vae.eval()
    with torch.no_grad():
        means = torch.cat([vae.encode(to_tensor(images[i:i + 500]))[:, :16] for i in range(0, n, 500)])
        lat_mean = means.mean(dim=(0, 2, 3))
        lat_std = means.std(dim=(0, 2, 3))
        idx = np.arange(0, n, max(1, n // 480))[:480]
        rec = vae.decode(means[idx])
        ok = np.zeros(3)
        for j, i in enumerate(idx):
            f, b, s, _ = qd.dc.judge(qd.dc.to_image(rec[j]))
            ok += [f == qd.dc.COLOUR_NAMES[data["fg"][i]], b == qd.dc.COLOUR_NAMES[data["bg"][i]],
                   s == qd.dc.SHAPES[data["shape"][i]]]
    torch.save({"vae": vae.state_dict(), "latents_mean": lat_mean, "latents_std": lat_std},
               os.path.join(qd.WORK, "vae.pt"))
    np.savez(os.path.join(qd.WORK, "latents.npz"), latents=means.numpy(), mean=lat_mean.numpy(), std=lat_std.numpy())
    print(f"latents_mean {np.round(lat_mean.numpy(), 3).tolist()}\nlatents_std {np.round(lat_std.numpy(), 3).tolist()}")
    print(f"VAE reconstructions of {len(idx)} pictures judged: fg {ok[0] / len(idx):.3f} bg {ok[1] / len(idx):.3f} "
          f"shape {ok[2] / len(idx):.3f}; VAE done in {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    steps = {"data": step_data, "vae": step_vae}
    from train_dit import step_dit  # the dit step lives in its own file
    steps["dit"] = step_dit
    for name in sys.argv[1:]:
        steps[name]()
