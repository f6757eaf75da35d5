"""The `dit` step of train.py: Qwen2-style text encoder + MMDiT trained together with the flow-matching
objective on the VAE's normalised latents: x_t = (1 - s) x0 + s e, target v = e - x0, s logit-normal;
10% of captions replaced by "" (classifier-free guidance). Writes work/dit.pt (EMA weights)."""
import copy
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

import qwen_data as qd
import qwen_modules as qm

DIT_STEPS = int(os.environ.get("QDEMO_DIT_STEPS", "6000"))
DIT_BATCH = int(os.environ.get("QDEMO_DIT_BATCH", "64"))
DIT_MINUTES = float(os.environ.get("QDEMO_DIT_MINUTES", "1e9"))
DIT_STOP = int(os.environ.get("QDEMO_DIT_STOP", "0"))          # stop at this step (0: at the schedule's end)
CFG_DROPOUT = 0.1
EMA = 0.999
EN_P, ZH_P = [0.3, 0.2, 0.25, 0.25], [0.6, 0.4]
PAD = 151643                     # <|endoftext|>, Qwen2.5's pad token


def known_ids(ids):
    return sorted({t for seq in ids.values() for t in seq} | {PAD})


def build(ids):
    text = qm.Qwen2TextEncoder(known_ids(ids))
    dit = qm.QwenImageTransformer2DModel(joint_attention_dim=text.config["hidden_size"])
    return text, dit


def batch_ids(seqs):
    """Right-padded (B, L) ids and mask, as the Qwen2 tokenizer pads to the longest."""
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), PAD, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    return ids, mask


def prompt_embeds(text, seqs):
    """QwenImagePipeline._get_qwen_prompt_embeds: last hidden state, keep each sample's real tokens, drop the
    first 34, right-pad with zeros; returns embeds and mask (the mask is kept even when all ones)."""
    ids, mask = batch_ids(seqs)
    h = text(ids, mask)
    keep = [h[i][mask[i].bool()][qd.DROP_IDX:] for i in range(len(seqs))]
    n = max(k.shape[0] for k in keep)
    out = torch.stack([torch.cat([k, k.new_zeros(n - k.shape[0], k.shape[1])]) for k in keep])
    m = torch.stack([torch.cat([torch.ones(k.shape[0], dtype=torch.long), torch.zeros(n - k.shape[0], dtype=torch.long)])
                     for k in keep])
    return out, m


def rope_for(dit, lat_h, lat_w, txt_len):
    c = dit.config
    (ic, is_), (tc, ts) = qm.qwen_rope_tables(1, lat_h // 2, lat_w // 2, txt_len, tuple(c["axes_dims_rope"]))
    return ic, is_, tc, ts


def step_dit():
    torch.manual_seed(3)
    ids = qd.load_ids()
    data = np.load(os.path.join(qd.WORK, "data.npz"))
    lat = np.load(os.path.join(qd.WORK, "latents.npz"))
    mean, std = torch.from_numpy(lat["mean"]).view(1, 16, 1, 1), torch.from_numpy(lat["std"]).view(1, 16, 1, 1)
    x0_all = (torch.from_numpy(lat["latents"]) - mean) / std            # normalised latents, as Qwen-Image trains
    shape, fg, bg = data["shape"], data["fg"], data["bg"]
    n = len(shape)
    text, dit = build(ids)
    count = lambda m: sum(p.numel() for k, p in m.state_dict().items() if k != "vocab_remap")
    print(f"parameters: text encoder {count(text)} (+ remap table), transformer {count(dit)}", flush=True)
    resume = os.environ.get("QDEMO_RESUME")        # continue from a checkpoint (its EMA weights), new seed
    if resume:
        ck = torch.load(os.path.join(qd.WORK, resume))
        text.load_state_dict(ck["text_encoder"])
        dit.load_state_dict(ck["transformer"])
        print(f"resumed from {resume} (step {ck['step']})", flush=True)
    ema_text, ema_dit = copy.deepcopy(text).eval(), copy.deepcopy(dit).eval()
    params = list(text.parameters()) + list(dit.parameters())
    peak = float(os.environ.get("QDEMO_LR", "5e-4"))
    opt = torch.optim.AdamW(params, lr=peak, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=peak, total_steps=DIT_STEPS, pct_start=0.03,
                                                final_div_factor=20)
    rng = np.random.default_rng(int(os.environ.get("QDEMO_SEED", 5 if resume else 4)))
    t0 = time.time()
    for step in range(1, DIT_STEPS + 1):
        idx = rng.integers(0, n, DIT_BATCH)
        seqs = []
        for i in idx:
            if rng.random() < CFG_DROPOUT:
                seqs.append(ids[""])
            elif rng.random() < 0.5:
                seqs.append(ids[qd.caption("en", shape[i], fg[i], bg[i], int(rng.choice(4, p=EN_P)))])
            else:
                seqs.append(ids[qd.caption("zh", shape[i], fg[i], bg[i], int(rng.choice(2, p=ZH_P)))])
        x0 = qm.pack_latents(x0_all[idx])
        sigma = torch.sigmoid(torch.from_numpy(rng.standard_normal(DIT_BATCH)).float())
        eps = torch.randn_like(x0)
        xt = (1 - sigma.view(-1, 1, 1)) * x0 + sigma.view(-1, 1, 1) * eps
        ctx, cmask = prompt_embeds(text, seqs)
        v = dit(xt, ctx, cmask, sigma, *rope_for(dit, 8, 8, ctx.shape[1]))
        loss = F.mse_loss(v, eps - x0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        decay = min(EMA, (1 + step) / (10 + step))
        with torch.no_grad():
            for ema, live in ((ema_text, text), (ema_dit, dit)):
                for pe, pl in zip(ema.parameters(), live.parameters()):
                    pe.mul_(decay).add_(pl.detach(), alpha=1 - decay)
        minutes = (time.time() - t0) / 60
        if step % 100 == 0 or step == 1:
            print(f"dit step {step} loss {loss.item():.4f} {(time.time() - t0) / step:.3f} s/step ({minutes:.1f} min)",
                  flush=True)
        last = step == DIT_STEPS or minutes > DIT_MINUTES or step == DIT_STOP
        if step % 500 == 0 or last:
            torch.save({"text_encoder": ema_text.state_dict(), "transformer": ema_dit.state_dict(), "step": step,
                        "known_ids": ema_text.known_ids}, os.path.join(qd.WORK, "dit.pt"))
        if last:
            break
    print(f"dit done: {step} steps in {(time.time() - t0) / 60:.1f} min", flush=True)
