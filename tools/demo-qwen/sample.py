"""PyTorch reference sampler for the Qwen demo model, following diffusers' QwenImagePipeline step by step:
template + drop_idx 34 on the encoder output (mask kept), noise (B, 1, 16, H/8, W/8) packed 2x2, dynamic-shift
FlowMatchEuler sigmas for the image sequence length with Qwen-Image's scheduler config, the transformer called
with t / 1000, true CFG only when true_cfg_scale > 1 and a negative prompt is given (comb = neg + s (cond - neg),
rescaled to cond's per-token L2 norm), Euler steps, unpack, z = z_n * std + mean, VAE decode, frame 0.

  /usr/bin/python3 sample.py "a red circle on a blue background" "蓝色背景上的红色圆形"   -> work/sample-*.png
"""
import os
import sys

import numpy as np
import torch
from PIL import Image

import qwen_data as qd
import qwen_modules as qm
from train_dit import build, prompt_embeds


def load(work=qd.WORK):
    ids = qd.load_ids()
    text, dit = build(ids)
    ck = torch.load(os.path.join(work, "dit.pt"))
    text.load_state_dict(ck["text_encoder"])
    dit.load_state_dict(ck["transformer"])
    v = torch.load(os.path.join(work, "vae.pt"))
    vae = qm.AutoencoderKLQwenImage()
    vae.load_state_dict(v["vae"])
    return {"ids": ids, "text": text.eval(), "dit": dit.eval(), "vae": vae.eval(),
            "mean": v["latents_mean"].float(), "std": v["latents_std"].float()}


def token_ids(model, prompt):
    if prompt not in model["ids"]:
        raise KeyError(f"{prompt!r} is not in caption_ids.json (rerun tokenize_captions.mjs with it)")
    return model["ids"][prompt]


def initial_noise(batch, height, width, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(batch, 1, 16, height // 8, width // 8, generator=g, dtype=torch.float32)


def generate(model, prompts, height=64, width=64, steps=20, true_cfg_scale=4.0, negative_prompt=" ", seed=0,
             noise=None, trace=None):
    """Returns pixels (B, 3, H, W) in [-1, 1]. `noise` (B, 1, 16, H/8, W/8) overrides the seed. If `trace` is a
    dict, intermediate tensors are stored in it (for the parity fixtures)."""
    text, dit, vae = model["text"], model["dit"], model["vae"]
    b = len(prompts)
    h, w = height // 8, width // 8
    with torch.no_grad():
        cond, cond_mask = prompt_embeds(text, [token_ids(model, p) for p in prompts])
        do_cfg = true_cfg_scale > 1 and negative_prompt is not None
        if do_cfg:
            neg, neg_mask = prompt_embeds(text, [token_ids(model, negative_prompt)] * b)
        if noise is None:
            noise = initial_noise(b, height, width, seed)
        # prepare_latents draws (B, 1, C, h, w) and packs it as (B, C, h, w)
        x = qm.pack_latents(noise[:, 0])
        sigmas, mu = qm.qwen_sigmas(steps, x.shape[1])
        rope_c = dit_rope(dit, h, w, cond.shape[1])
        rope_n = dit_rope(dit, h, w, neg.shape[1]) if do_cfg else None
        if trace is not None:
            trace.update(prompt_embeds=cond, prompt_embeds_mask=cond_mask, sigmas=torch.from_numpy(sigmas),
                         mu=mu, initial_latents=x.clone(), rope_cond=rope_c)
            if do_cfg:
                trace.update(negative_prompt_embeds=neg, negative_prompt_embeds_mask=neg_mask, rope_neg=rope_n)
        for i in range(steps):
            t = torch.tensor(sigmas[i] * np.float32(1000.0), dtype=torch.float32)      # scheduler.timesteps[i]
            timestep = t.expand(b) / 1000
            v = dit(x, cond, cond_mask, timestep, *rope_c)
            if do_cfg:
                vn = dit(x, neg, neg_mask, timestep, *rope_n)
                comb = vn + true_cfg_scale * (v - vn)
                v = comb * (torch.norm(v, dim=-1, keepdim=True) / torch.norm(comb, dim=-1, keepdim=True))
            if trace is not None and i == 0:
                trace.update(step1_timestep=timestep.clone(), step1_noise_pred=v.clone())
            x = x + (float(sigmas[i + 1]) - float(sigmas[i])) * v
            if trace is not None and i == 0:
                trace["latents_step1"] = x.clone()
        if trace is not None:
            trace["latents_final"] = x.clone()
        z = qm.unpack_latents(x, h, w)
        z = z * model["std"].view(1, 16, 1, 1, 1) + model["mean"].view(1, 16, 1, 1, 1)
        if trace is not None:
            trace["vae_latent_sample"] = z.clone()
        img = vae.decode5d(z)
        if trace is not None:
            trace["vae_sample"] = img.clone()
        return img[:, :, 0]


def dit_rope(dit, h, w, txt_len):
    (ic, is_), (tc, ts) = qm.qwen_rope_tables(1, h // 2, w // 2, txt_len, tuple(dit.config["axes_dims_rope"]))
    return ic, is_, tc, ts


def main(argv):
    torch.set_num_threads(2)
    model = load()
    prompts = argv or ["a red circle on a blue background", "蓝色背景上的红色圆形"]
    imgs = generate(model, prompts)
    for i, (p, img) in enumerate(zip(prompts, imgs)):
        path = os.path.join(qd.WORK, f"sample-{i}.png")
        Image.fromarray(qd.dc.to_image(img)).resize((256, 256), Image.NEAREST).save(path)
        print(p, "->", path, qd.dc.judge(qd.dc.to_image(img)))


if __name__ == "__main__":
    main(sys.argv[1:])
