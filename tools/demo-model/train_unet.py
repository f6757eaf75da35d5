"""Step 3: the text encoder and the UNet, trained together on the VAE's latents (epsilon prediction on SD's
scaled_linear schedule, 1000 steps; 10% of captions dropped to "" so classifier-free guidance works).

Writes work/unet.pt (EMA weights of both networks) and logs a quick quality check every EVAL_EVERY steps.
"""
import copy
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import demo_common as dc

STEPS = int(os.environ.get("DEMO_UNET_STEPS", "6000"))
BATCH = int(os.environ.get("DEMO_UNET_BATCH", "96"))
EVAL_EVERY = int(os.environ.get("DEMO_EVAL_EVERY", "1000"))
DROPOUT = 0.1
EMA = 0.999
# caption forms: long with articles, long bare, short with article, short bare; half of all captions are short
FORM_P = [0.3, 0.2, 0.25, 0.25]


def caption_table(tok):
    table = np.zeros((3, 8, 8, 4, dc.MAX_TOKENS), np.int64)
    for s in range(3):
        for f in range(8):
            for b in range(8):
                if b != f:
                    for form in range(4):
                        table[s, f, b, form] = tok(dc.caption(dc.SHAPES[s], dc.COLOUR_NAMES[f], dc.COLOUR_NAMES[b], form))
    return table


def quick_eval(unet, text, tok, n=48, seed=7):
    rng = np.random.default_rng(seed)
    vae = torch.load(os.path.join(dc.WORK, "vae.pt"))
    dec = dc.VaeDecoder()
    dec.load_state_dict(vae["decoder"])
    dec.eval()
    scale = float(np.load(os.path.join(dc.WORK, "latents.npz"))["scale"])
    specs = []
    for _ in range(n):
        s, f = int(rng.integers(3)), int(rng.integers(8))
        b = (f + int(rng.integers(1, 8))) % 8
        specs.append((s, f, b, int(rng.integers(4))))
    prompts = [dc.caption(dc.SHAPES[s], dc.COLOUR_NAMES[f], dc.COLOUR_NAMES[b], form) for s, f, b, form in specs]
    encode = lambda ps: text(torch.tensor([tok(p) for p in ps]))[0]
    with torch.no_grad():
        z = dc.sample(unet, encode, prompts, steps=20, guidance=7.5, sampler="ddim", seed=seed)
        imgs = dec(z / scale)
    ok = np.zeros(3)
    for img, (s, f, b, form) in zip(imgs, specs):
        jf, jb, js, _ = dc.judge(dc.to_image(img))
        ok += [jf == dc.COLOUR_NAMES[f], jb == dc.COLOUR_NAMES[b] or form >= 2, js == dc.SHAPES[s]]
    return ok / n


def main():
    dc.set_threads()
    torch.manual_seed(3)
    tok = dc.ClipBpeTokenizer(os.path.join(dc.MODEL_DIR, "tokenizer"))
    data = np.load(os.path.join(dc.WORK, "data.npz"))
    lat = np.load(os.path.join(dc.WORK, "latents.npz"))
    mean, std = torch.from_numpy(lat["mean"]), torch.from_numpy(lat["std"])
    shape, fg, bg = data["shape"], data["fg"], data["bg"]
    table = torch.from_numpy(caption_table(tok))
    empty = torch.tensor(tok(""))
    n = len(mean)

    text = dc.TextEncoder(len(tok.encoder))
    unet = dc.Unet()
    print(f"parameters: text encoder {dc.count_params(text)}, unet {dc.count_params(unet)}", flush=True)
    ema_text, ema_unet = copy.deepcopy(text).eval(), copy.deepcopy(unet).eval()
    params = list(text.parameters()) + list(unet.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=STEPS, pct_start=0.03,
                                                final_div_factor=50)
    ac = dc.alphas_cumprod()
    rng = np.random.default_rng(4)
    t0 = time.time()
    for step in range(1, STEPS + 1):
        idx = rng.integers(0, n, BATCH)
        forms = rng.choice(4, BATCH, p=FORM_P)
        ids = table[shape[idx], fg[idx], bg[idx], forms]
        drop = torch.from_numpy(rng.random(BATCH) < DROPOUT)
        ids[drop] = empty
        z = mean[idx] + std[idx] * torch.randn(BATCH, 4, dc.LATENT, dc.LATENT)
        t = torch.randint(0, dc.T, (BATCH,))
        eps = torch.randn_like(z)
        a = ac[t].view(-1, 1, 1, 1)
        noisy = a.sqrt() * z + (1 - a).sqrt() * eps
        ctx, _ = text(ids)
        loss = F.mse_loss(unet(noisy, t.float(), ctx), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        decay = min(EMA, (1 + step) / (10 + step))
        with torch.no_grad():
            for ema, live in ((ema_text, text), (ema_unet, unet)):
                for pe, pl in zip(ema.parameters(), live.parameters()):
                    pe.mul_(decay).add_(pl.detach(), alpha=1 - decay)
        if step % 100 == 0 or step == 1:
            print(f"step {step} loss {loss.item():.4f} {(time.time() - t0) / step:.3f} s/step "
                  f"({(time.time() - t0) / 60:.1f} min)", flush=True)
        if step % EVAL_EVERY == 0 or step == STEPS:
            torch.save({"text_encoder": ema_text.state_dict(), "unet": ema_unet.state_dict(), "step": step},
                       os.path.join(dc.WORK, "unet.pt"))
            fgr, bgr, shr = quick_eval(ema_unet, ema_text, tok)
            print(f"eval at step {step} ({(time.time() - t0) / 60:.1f} min): foreground {100 * fgr:.0f}% "
                  f"background {100 * bgr:.0f}% shape {100 * shr:.0f}%", flush=True)
    print(f"UNet done in {(time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    sys.exit(main())
