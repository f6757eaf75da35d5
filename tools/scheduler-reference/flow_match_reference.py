#!/usr/bin/python3
"""Reference tables for the flow-matching Euler scheduler as diffusers' Qwen-Image pipelines drive it.

Written from the formulas of diffusers' FlowMatchEulerDiscreteScheduler (set_timesteps with sigmas given, time_shift,
stretch_shift_to_terminal, scale_noise, step) and QwenImagePipeline / QwenImageImg2ImgPipeline (calculate_shift,
sigmas = linspace(1, 1/N, N), get_timesteps), diffusers commit 58eb52c0803ea9af3abec60841c2a093bdf1f951; nothing is
imported from diffusers. dtypes as there: the base sigmas are float64 numpy cast to float32, the shift and stretch run
in float32 numpy (a Python float scalar does not widen a float32 array), the result becomes a float32 tensor with a
final 0 appended; timesteps = sigmas * 1000 in float32.

Fixed fake model and noise for the trajectories (latent length 8, k = 0..7, float32):
  eps[k] = 1.2*sin(1.7k + 0.3)              initial noise
  x0[k]  = 0.4*sin(0.5k + 0.2)              clean latents (image-to-image)
  v(x, sigma)[k] = 0.5*x[k]*cos(3*sigma) + 0.2*sin(0.37k + 2*sigma)   (sigma = timestep / 1000, as the transformer gets it)
Text-to-image starts at eps; image-to-image at scale_noise(x0, sigma_start, eps) = sigma*eps + (1 - sigma)*x0.
Each step: x = x + (sigma_next - sigma) * v(x, sigma), in float32.

Pipeline schedules (key "pipeline_schedules", outside "cases"): the sigmas and timesteps three pipelines hand to the
transformer, each from its own rule. StableDiffusion3Pipeline passes no sigmas: set_timesteps(N) takes
timesteps = linspace(sigma_max * 1000, sigma_min * 1000, N) (float64) of the scheduler's shifted training table
(__init__: t = linspace(1, 1000, 1000) float32 reversed, sigma = t / 1000, shifted in float32; sigma_max, sigma_min its
ends), sigmas = timesteps / 1000, shifted again (float64), then float32, timesteps = sigmas * 1000 (float32), final 0.
FluxPipeline (dev: dynamic exponential shift, mu of the 1024x1024 token count; schnell: static shift 1.0) passes
sigmas = linspace(1, 1/N, N) as for Qwen-Image.

Run: /usr/bin/python3 tools/scheduler-reference/flow_match_reference.py
Writes src/test/resources/scheduler-reference/flow-match-tables.json and checks the anchors of
../shared/reference/flow-matching-facts.md (exit status 1 when one fails).
"""
import json
import math
import os
import sys

import numpy as np

CONFIGS = {
    # Qwen-Image's scheduler_config.json
    "qwen_image": dict(shift=1.0, use_dynamic_shifting=True, base_shift=0.5, max_shift=0.9, base_image_seq_len=256,
                       max_image_seq_len=8192, time_shift_type="exponential", shift_terminal=0.02),
    # FLUX.1-dev's values (dynamic, no terminal)
    "flux_dev": dict(shift=3.0, use_dynamic_shifting=True, base_shift=0.5, max_shift=1.15, base_image_seq_len=256,
                     max_image_seq_len=4096, time_shift_type="exponential", shift_terminal=None),
    # the linear time shift variant
    "linear_shift": dict(shift=1.0, use_dynamic_shifting=True, base_shift=0.5, max_shift=0.9, base_image_seq_len=256,
                         max_image_seq_len=8192, time_shift_type="linear", shift_terminal=None),
    # a static shift on the same base sigmas
    "static_shift": dict(shift=3.0, use_dynamic_shifting=False, base_shift=0.5, max_shift=1.15,
                         base_image_seq_len=256, max_image_seq_len=4096, time_shift_type="exponential",
                         shift_terminal=None),
}
SIZES = [(64, 64), (96, 64), (512, 512), (1024, 1024), (1328, 1328), (1664, 928)]
STEPS = [1, 2, 4, 8, 20, 28, 50]
STRENGTHS = [1.0, 0.9, 0.75, 0.6]

# scheduler_config.json of the pipelines in "pipeline_schedules" (the keys set_timesteps reads; the others default)
PIPELINE_CONFIGS = {
    # stabilityai/stable-diffusion-3-medium-diffusers: num_train_timesteps 1000, shift 3.0 (static)
    "sd3_medium": dict(shift=3.0, use_dynamic_shifting=False, base_shift=0.5, max_shift=1.15, base_image_seq_len=256,
                       max_image_seq_len=4096, time_shift_type="exponential", shift_terminal=None),
    "flux_dev": CONFIGS["flux_dev"],
    # black-forest-labs/FLUX.1-schnell: static shift 1.0
    "flux_schnell": dict(shift=1.0, use_dynamic_shifting=False, base_shift=0.5, max_shift=1.15,
                         base_image_seq_len=256, max_image_seq_len=4096, time_shift_type="exponential",
                         shift_terminal=None),
}


def sd3_sigmas(c, n, train_steps=1000):
    """FlowMatchEulerDiscreteScheduler.set_timesteps(n) without sigmas, static shift (StableDiffusion3Pipeline)."""
    shift = c["shift"]
    t = np.linspace(1, train_steps, train_steps, dtype=np.float32)[::-1].copy()
    table = t / train_steps                                            # float32, as the torch tensor in __init__
    table = (shift * table / (1 + (shift - 1) * table)).astype(np.float32)
    sigma_max, sigma_min = float(table[0]), float(table[-1])
    timesteps = np.linspace(sigma_max * train_steps, sigma_min * train_steps, n)      # float64
    s = timesteps / train_steps
    s = (shift * s / (1 + (shift - 1) * s)).astype(np.float32)
    return np.concatenate([s, np.zeros(1, dtype=np.float32)]), sigma_max, sigma_min


def pipeline_schedule(name, n, w, h):
    c = PIPELINE_CONFIGS[name]
    out = {"config": name, "width": w, "height": h, "steps": n}
    if name == "sd3_medium":
        sigmas, sigma_max, sigma_min = sd3_sigmas(c, n)
        out.update(rule="sd3: linspace of the shifted training table, shifted again", mu=None,
                   train_sigma_max=sigma_max, train_sigma_min=sigma_min)
    else:
        sigmas, mu = sigmas_for(c, n, (h // 16) * (w // 16))
        out.update(rule="flux: sigmas linspace(1, 1/N, N) passed to set_timesteps", mu=mu,
                   image_tokens=(h // 16) * (w // 16))
    out["sigmas"] = [float(v) for v in sigmas]
    out["timesteps"] = [float(v) for v in (sigmas[:-1] * np.float32(1000)).astype(np.float32)]
    out["img2img_start"] = {str(s): int(max(n - min(n * s, n), 0)) for s in STRENGTHS}
    return out


PIPELINE_SCHEDULES = [("sd3_medium_n28", "sd3_medium", 28, 1024, 1024), ("sd3_medium_n4", "sd3_medium", 4, 1024, 1024),
                      ("sd3_medium_n1", "sd3_medium", 1, 1024, 1024),
                      ("flux_dev_1024x1024_n28", "flux_dev", 28, 1024, 1024),
                      ("flux_schnell_1024x1024_n4", "flux_schnell", 4, 1024, 1024)]


def calculate_shift(seq_len, c):
    m = (c["max_shift"] - c["base_shift"]) / (c["max_image_seq_len"] - c["base_image_seq_len"])
    b = c["base_shift"] - m * c["base_image_seq_len"]
    return seq_len * m + b


def sigmas_for(c, n, seq_len):
    s = np.linspace(1.0, 1 / n, n).astype(np.float32)
    mu = calculate_shift(seq_len, c)
    if c["use_dynamic_shifting"]:
        if c["time_shift_type"] == "exponential":
            s = math.exp(mu) / (math.exp(mu) + (1 / s - 1) ** 1.0)
        else:
            s = mu / (mu + (1 / s - 1) ** 1.0)
    else:
        s = c["shift"] * s / (1 + (c["shift"] - 1) * s)
    s = s.astype(np.float32)
    if c["shift_terminal"]:
        one_minus = 1 - s
        scale = one_minus[-1] / (1 - c["shift_terminal"])
        s = (1 - one_minus / scale).astype(np.float32)
    return np.concatenate([s, np.zeros(1, dtype=np.float32)]), mu


def model(x, sigma):
    k = np.arange(8)
    return (0.5 * x * np.cos(3 * sigma) + 0.2 * np.sin(0.37 * k + 2 * sigma)).astype(np.float32)


def case(name, c, w, h, n, strength):
    seq_len = (h // 16) * (w // 16)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigmas, mu = sigmas_for(c, n, seq_len)
    if not np.all(np.isfinite(sigmas)):
        # one step with shift_terminal: the stretch divides 0 by 0 and diffusers' sigmas are NaN
        return {"config": name, "width": w, "height": h, "image_tokens": seq_len, "steps": n, "strength": strength,
                "mu": mu, "refused": "shift_terminal stretch divides by zero at one step (diffusers gives NaN)"}
    timesteps = (sigmas[:-1] * np.float32(1000)).astype(np.float32)
    init = min(n * strength, n)
    start = int(max(n - init, 0))
    run = sigmas[start:]
    k = np.arange(8)
    eps = (1.2 * np.sin(1.7 * k + 0.3)).astype(np.float32)
    x0 = (0.4 * np.sin(0.5 * k + 0.2)).astype(np.float32)
    if strength < 1.0:
        x = (run[0] * eps + (np.float32(1) - run[0]) * x0).astype(np.float32)
    else:
        x = eps.copy()
    trajectory = []
    for i in range(len(run) - 1):
        t = timesteps[start + i]
        sigma = np.float32(t / np.float32(1000))
        x = (x + (run[i + 1] - run[i]) * model(x, float(sigma))).astype(np.float32)
        if i < 5:
            trajectory.append([float(v) for v in x])
    return {
        "config": name, "width": w, "height": h, "image_tokens": seq_len, "steps": n, "strength": strength,
        "mu": mu, "refused": None, "start": start, "sigmas": [float(v) for v in run],
        "timesteps": [float(v) for v in timesteps[start:]], "trajectory": trajectory,
        "final": [float(v) for v in x],
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "../../src/test/resources/scheduler-reference/flow-match-tables.json")
    cases = []
    for name, c in CONFIGS.items():
        for (w, h) in SIZES:
            for n in STEPS:
                for s in STRENGTHS:
                    cases.append(case(name, c, w, h, n, s))
    failures = 0

    def check(what, ok):
        nonlocal failures
        print(("ok   " if ok else "FAIL ") + what)
        failures += 0 if ok else 1

    anchor = next(x for x in cases if x["config"] == "qwen_image" and x["width"] == 1024 and x["steps"] == 50
                  and x["strength"] == 1.0)
    check("qwen 1024x1024 N=50 mu 0.693548", abs(anchor["mu"] - 0.693548) < 1e-6)
    expected = [1, 0.98970, 0.97919, 0.96847]
    check("qwen sigmas start 1, 0.98970, 0.97919, 0.96847",
          all(abs(a - b) < 1e-5 for a, b in zip(anchor["sigmas"], expected)))
    check("qwen sigmas end 0.09550, 0.05848, 0.02, 0",
          all(abs(a - b) < 1e-5 for a, b in zip(anchor["sigmas"][-4:], [0.09550, 0.05848, 0.02, 0])))
    flux = next(x for x in cases if x["config"] == "flux_dev" and x["width"] == 1024 and x["steps"] == 28
                and x["strength"] == 1.0)
    check("flux 1024x1024 mu 1.15", abs(flux["mu"] - 1.15) < 1e-9)
    check("flux sigmas 1, 0.98841, 0.97622",
          all(abs(a - b) < 1e-5 for a, b in zip(flux["sigmas"], [1, 0.98841, 0.97622])))
    schedules = {key: pipeline_schedule(name, n, w, h) for key, name, n, w, h in PIPELINE_SCHEDULES}
    check("sd3 N=28 sigmas 1, 0.98738, 0.97411",
          all(abs(a - b) < 1e-5 for a, b in zip(schedules["sd3_medium_n28"]["sigmas"], [1, 0.98738, 0.97411])))
    check("flux dev pipeline table = the flux_dev case",
          schedules["flux_dev_1024x1024_n28"]["sigmas"] == flux["sigmas"])
    check("flux schnell N=4 sigmas 1, 0.75, 0.5, 0.25, 0",
          schedules["flux_schnell_1024x1024_n4"]["sigmas"] == [1, 0.75, 0.5, 0.25, 0])
    with open(out, "w") as f:
        json.dump({"generator": "tools/scheduler-reference/flow_match_reference.py",
                   "diffusers_commit": "58eb52c0803ea9af3abec60841c2a093bdf1f951", "configs": CONFIGS,
                   "cases": cases, "pipeline_configs": PIPELINE_CONFIGS, "pipeline_schedules": schedules},
                  f, separators=(",", ":"))
    print(len(cases), "cases written to", out)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
