#!/usr/bin/python3
"""Independent Python reference of Hugging Face diffusers' scheduler behaviour.

What it reproduces
------------------
For the SD 1.5 noise schedule (scaled_linear betas 0.00085..0.012, 1000 train
steps, steps_offset 1, set_alpha_to_one false, clip_sample false) it re-expresses,
step by step and with the same numpy / torch dtypes as diffusers, the schedules
and update rules of

    euler            EulerDiscreteScheduler          (linear interpolation, no Karras,
                                                      final_sigmas_type zero, s_churn 0)
    euler_a          EulerAncestralDiscreteScheduler
    ddim             DDIMScheduler                   (eta 0)
    dpmpp_2m         DPMSolverMultistepScheduler     (dpmsolver++, order 2, midpoint,
                                                      lower_order_final, final_sigmas zero)
    dpmpp_2m_karras  same, use_karras_sigmas true
    pndm             PNDMScheduler                   (skip_prk_steps true)
    lcm              LCMScheduler                    (original_inference_steps 50,
                                                      timestep_scaling 10)

together with the pipeline rules that decide where a run starts:
  * text-to-image (strength 1.0): latents = n0 * init_noise_sigma, all timesteps run
    (pipeline_stable_diffusion.py; no set_begin_index).
  * image-to-image, all but LCM (pipeline_stable_diffusion_img2img.py get_timesteps /
    prepare_latents): init = min(int(N*s), N); t_start = max(N-init, 0);
    timesteps = scheduler.timesteps[t_start*order:]; set_begin_index(t_start*order) where
    the scheduler has it; latents = scheduler.add_noise(c, n0, timesteps[:1]).
    init < 1 is recorded as refused (the SD img2img pipeline itself does not check; the
    message is the one the newer diffusers img2img pipelines raise, typo included).
  * LCM image-to-image (pipeline_latent_consistency_img2img.py): strength only goes into
    scheduler.set_timesteps(N, strength=s); all returned timesteps run, noised at
    timesteps[0]; no set_begin_index.

The scheduler code is NOT imported from diffusers (it is not installed): every formula is
re-implemented here. Torch float32 is used wherever diffusers computes with torch tensors,
numpy (float32 / float64 / int64 exactly as in diffusers) wherever diffusers uses numpy.
numpy < 2 value-based casting (a float64 numpy scalar combined with a float32 array
stays float32) is reproduced explicitly in _sigma_to_t.

Followed diffusers files (commit in DIFFUSERS_COMMIT):
  src/diffusers/schedulers/scheduling_{euler_discrete,euler_ancestral_discrete,ddim,pndm,
  dpmsolver_multistep,lcm}.py, src/diffusers/pipelines/stable_diffusion/
  pipeline_stable_diffusion_img2img.py, .../pipeline_stable_diffusion.py,
  .../pipeline_onnx_stable_diffusion.py (int64 timestep cast),
  src/diffusers/pipelines/latent_consistency_models/pipeline_latent_consistency_img2img.py

Fixed fake model and injected noise (latent length 8, k = 0..7; computed in float64 and
stored as float32 tensors):
  n0[k]  = 1.2*sin(1.7k + 0.3)                initial noise
  c[k]   = 0.4*sin(0.5k + 0.2)                clean latents (img2img)
  z_i[k] = cos(0.9k + 1.1i + 0.5)             noise drawn by a stochastic step at run
                                              position i (euler_a every step, lcm all but
                                              the last) instead of randn
  model(x_in, t)[k] = 0.5*x_in[k]*cos(t/300) + 0.2*sin(0.37k + t/150), where x_in is
                      scale_model_input(sample, t) and t the timestep as the scheduler
                      hands it (float32 for euler/euler_a, int64 for the others)
Loop: x_in = scale_model_input(sample, t); out = model(x_in, t); sample = step(out, t, sample, z_i).

Also emits "gaussian_noise": SplitMix64 + Box-Muller reference values of the engine's
documented noise generator.

Run:   /usr/bin/python3 tools/scheduler-reference/diffusers_reference.py [output.json]
       (needs numpy and torch; default output
        src/test/resources/scheduler-reference/diffusers-tables.json relative to the
        repository root). Self-checks against known diffusers values are printed; the
        script exits with status 1 if one fails.
"""

import json
import math
import os
import sys

import numpy as np
import torch

DIFFUSERS_COMMIT = "58eb52c0803ea9af3abec60841c2a093bdf1f951"
GENERATOR = "tools/scheduler-reference/diffusers_reference.py"

T_TRAIN = 1000
BETA_START = 0.00085
BETA_END = 0.012
STEPS_OFFSET = 1
LCM_ORIGINAL_STEPS = 50
LCM_TIMESTEP_SCALING = 10.0
LCM_SIGMA_DATA = 0.5

SCHEDULERS = ["euler", "euler_a", "ddim", "dpmpp_2m", "dpmpp_2m_karras", "pndm", "lcm"]
SPACINGS = ["linspace", "leading", "trailing"]
PREDICTIONS = ["epsilon", "v_prediction", "sample"]
FULL_STEPS = [1, 2, 4, 20, 30, 50]
FULL_STRENGTHS = [1.0, 0.6, 0.75, 0.9]
TS_ONLY_STEPS = [22, 26, 27, 30, 31, 33, 39, 46, 47, 48, 52, 53, 60, 61, 96]
TS_ONLY_STRENGTHS = [1.0, 0.6, 0.9]
TRAJECTORY_STEPS = 5


class Refused(Exception):
    """Raised where diffusers raises (ValueError / NotImplementedError)."""


# --------------------------------------------------------------------------- noise schedule

def _train_schedule():
    # torch float32: linspace of sqrt(beta) then squared; cumulative product of 1 - beta
    root = torch.linspace(BETA_START ** 0.5, BETA_END ** 0.5, T_TRAIN, dtype=torch.float32)
    betas = root ** 2
    alphas = 1.0 - betas
    return torch.cumprod(alphas, dim=0)


ALPHAS_CUMPROD = _train_schedule()                        # torch float32 [1000]
FINAL_ALPHA_CUMPROD = ALPHAS_CUMPROD[0]                   # set_alpha_to_one = False
# numpy float32 copy of sqrt((1 - abar) / abar), computed by torch like diffusers
TRAIN_SIGMAS_NP = np.array(((1 - ALPHAS_CUMPROD) / ALPHAS_CUMPROD) ** 0.5)
TRAIN_LOG_SIGMAS_NP = np.log(TRAIN_SIGMAS_NP)             # float32


def _spacing_float(n, spacing):
    """Euler / Euler-ancestral timestep grid (float32 numpy), descending."""
    if spacing == "linspace":
        return np.linspace(0, T_TRAIN - 1, n, dtype=np.float32)[::-1].copy()
    if spacing == "leading":
        ratio = T_TRAIN // n
        ts = (np.arange(0, n) * ratio).round()[::-1].copy().astype(np.float32)
        return ts + np.float32(STEPS_OFFSET)
    if spacing == "trailing":
        ratio = T_TRAIN / n
        ts = np.arange(T_TRAIN, 0, -ratio).round().copy().astype(np.float32)
        return ts - np.float32(1)
    raise Refused(f"{spacing} is not supported. Please make sure to choose one of 'linspace', 'leading' or 'trailing'.")


def _sigma_to_t(sigma, log_sigmas):
    """Interpolated (fractional) training timestep of one sigma (float64 scalar).

    log_sigmas is float32; under numpy<2 the float64 scalar log(sigma) is demoted to
    float32 when combined with the float32 arrays, which is written out explicitly here.
    """
    log_sigma = np.log(np.maximum(sigma, 1e-10))
    ls32 = np.float32(log_sigma)
    # index of the last training log-sigma not above log(sigma) (0 if none), at most T-2
    not_above = (ls32 - log_sigmas) >= 0
    counts = np.cumsum(not_above)
    lo = min(int(np.argmax(counts)), log_sigmas.shape[0] - 2)
    hi = lo + 1
    lo_v = log_sigmas[lo:lo + 1]
    hi_v = log_sigmas[hi:hi + 1]
    w = np.clip((lo_v - ls32) / (lo_v - hi_v), 0, 1)           # float32
    t = (1 - w) * np.array([lo]) + w * np.array([hi])         # float64
    return t.reshape(())


def _karras(n):
    sig = np.flip(TRAIN_SIGMAS_NP).copy()
    s_min = sig[-1].item()
    s_max = sig[0].item()
    rho = 7.0
    ramp = np.linspace(0, 1, n)
    a = s_max ** (1 / rho)
    b = s_min ** (1 / rho)
    return (a + ramp * (b - a)) ** rho                         # float64


def _index_first_occurrence_rule(schedule, t):
    """diffusers index_for_timestep for Euler / Euler-a / LCM: 2nd match if duplicated."""
    hits = (schedule == t).nonzero()
    return hits[1 if len(hits) > 1 else 0].item()


# --------------------------------------------------------------------------- schedulers

class Euler:
    name = "euler"
    integer_timesteps = False
    has_begin_index = True

    def __init__(self, spacing, prediction, ancestral=False):
        self.spacing, self.prediction, self.ancestral = spacing, prediction, ancestral

    def set_timesteps(self, n, strength=1.0):
        ts = _spacing_float(n, self.spacing)
        sig = np.interp(ts, np.arange(0, T_TRAIN), TRAIN_SIGMAS_NP)   # float64
        self.sigmas = torch.from_numpy(np.concatenate([sig, [0.0]]).astype(np.float32))
        self.timesteps = torch.from_numpy(ts.astype(np.float32))
        self.step_index = None
        self.begin_index = None

    @property
    def init_noise_sigma(self):
        m = self.sigmas.max()
        if self.spacing in ("linspace", "trailing"):
            return m
        return (m ** 2 + 1) ** 0.5

    def set_begin_index(self, i):
        self.begin_index = i

    def _ensure_index(self, t):
        if self.step_index is None:
            self.step_index = (self.begin_index if self.begin_index is not None
                               else _index_first_occurrence_rule(self.timesteps, t))

    def scale_model_input(self, sample, t):
        self._ensure_index(t)
        s = self.sigmas[self.step_index]
        return sample / ((s ** 2 + 1) ** 0.5)

    def _x0(self, out, sample, s):
        if self.prediction == "epsilon":
            return sample - s * out
        if self.prediction == "v_prediction":
            return out * (-s / (s ** 2 + 1) ** 0.5) + sample / (s ** 2 + 1)
        return out

    def step(self, out, t, sample, noise):
        self._ensure_index(t)
        sample = sample.to(torch.float32)
        i = self.step_index
        s = self.sigmas[i]
        if self.ancestral:
            if self.prediction == "sample":
                raise Refused("prediction_type not implemented yet: sample")
            x0 = self._x0(out, sample, s)
            s_from, s_to = self.sigmas[i], self.sigmas[i + 1]
            s_up = (s_to ** 2 * (s_from ** 2 - s_to ** 2) / s_from ** 2) ** 0.5
            s_down = (s_to ** 2 - s_up ** 2) ** 0.5
            d = (sample - x0) / s
            nxt = sample + d * (s_down - s)
            nxt = nxt + noise * s_up
        else:
            s_hat = s * (0.0 + 1)          # gamma = 0 (s_churn = 0)
            x0 = self._x0(out, sample, s_hat if self.prediction == "epsilon" else s)
            d = (sample - x0) / s_hat
            nxt = sample + d * (self.sigmas[i + 1] - s_hat)
        self.step_index += 1
        return nxt.to(out.dtype)

    def noise_coefficients(self, t):
        i = self.begin_index if self.begin_index is not None else _index_first_occurrence_rule(self.timesteps, t)
        return torch.tensor(1.0, dtype=torch.float32), self.sigmas[i]

    def add_noise(self, x0, noise, t):
        _, s = self.noise_coefficients(t)
        return x0 + noise * s

    def sigma_at(self, j):
        return self.sigmas[j]


class EulerAncestral(Euler):
    name = "euler_a"

    def __init__(self, spacing, prediction):
        super().__init__(spacing, prediction, ancestral=True)


class DPMSolver2M:
    name = "dpmpp_2m"
    integer_timesteps = True
    has_begin_index = True
    init_noise_sigma = 1.0

    def __init__(self, spacing, prediction, karras=False):
        self.spacing, self.prediction, self.karras = spacing, prediction, karras
        if karras:
            self.name = "dpmpp_2m_karras"

    def set_timesteps(self, n, strength=1.0):
        # lambda_min_clipped = -inf  ->  clipped index 0, last timestep 1000
        last = T_TRAIN
        if self.spacing == "linspace":
            ts = np.linspace(0, last - 1, n + 1).round()[::-1][:-1].copy().astype(np.int64)
        elif self.spacing == "leading":
            ratio = last // (n + 1)
            ts = (np.arange(0, n + 1) * ratio).round()[::-1][:-1].copy().astype(np.int64)
            ts += STEPS_OFFSET
        elif self.spacing == "trailing":
            ratio = T_TRAIN / n
            ts = np.arange(last, 0, -ratio).round().copy().astype(np.int64)
            ts -= 1
        else:
            raise Refused(f"{self.spacing} is not supported.")
        if self.karras:
            sig = _karras(n)
            ts = np.array([_sigma_to_t(s, TRAIN_LOG_SIGMAS_NP) for s in sig]).round()
        else:
            sig = np.interp(ts, np.arange(0, T_TRAIN), TRAIN_SIGMAS_NP)
        self.sigmas = torch.from_numpy(np.concatenate([sig, [0]]).astype(np.float32))
        self.timesteps = torch.from_numpy(ts).to(dtype=torch.int64)
        self.num_inference_steps = len(ts)
        self.prev_x0 = None
        self.lower_order_nums = 0
        self.step_index = None
        self.begin_index = None

    def set_begin_index(self, i):
        self.begin_index = i

    def _index_for(self, t):
        hits = (self.timesteps == t).nonzero()
        if len(hits) == 0:
            return len(self.timesteps) - 1
        return hits[1 if len(hits) > 1 else 0].item()

    @staticmethod
    def _alpha_sigma(s):
        a = 1 / ((s ** 2 + 1) ** 0.5)
        return a, s * a

    def scale_model_input(self, sample, t):
        return sample

    def step(self, out, t, sample, noise):
        if self.step_index is None:
            self.step_index = self.begin_index if self.begin_index is not None else self._index_for(t)
        i = self.step_index
        last_step = i == len(self.timesteps) - 1     # final_sigmas_type zero -> 1st order
        a_s0, s_s0 = self._alpha_sigma(self.sigmas[i])
        if self.prediction == "epsilon":
            x0 = (sample - s_s0 * out) / a_s0
        elif self.prediction == "v_prediction":
            x0 = a_s0 * sample - s_s0 * out
        else:
            x0 = out
        m1 = self.prev_x0
        self.prev_x0 = x0
        sample = sample.to(torch.float32)
        a_t, s_t = self._alpha_sigma(self.sigmas[i + 1])
        lam_t = torch.log(a_t) - torch.log(s_t)
        lam_s0 = torch.log(a_s0) - torch.log(s_s0)
        h = lam_t - lam_s0
        phi = a_t * (torch.exp(-h) - 1.0)
        if self.lower_order_nums < 1 or last_step:
            nxt = (s_t / s_s0) * sample - phi * x0
        else:
            a_s1, s_s1 = self._alpha_sigma(self.sigmas[i - 1])
            lam_s1 = torch.log(a_s1) - torch.log(s_s1)
            r0 = (lam_s0 - lam_s1) / h
            d1 = (1.0 / r0) * (x0 - m1)
            nxt = (s_t / s_s0) * sample - phi * x0 - 0.5 * phi * d1
        if self.lower_order_nums < 2:
            self.lower_order_nums += 1
        self.step_index += 1
        return nxt.to(out.dtype)

    def noise_coefficients(self, t):
        i = self.begin_index if self.begin_index is not None else self._index_for(t)
        return self._alpha_sigma(self.sigmas[i])

    def add_noise(self, x0, noise, t):
        a, s = self.noise_coefficients(t)
        return a * x0 + s * noise

    def sigma_at(self, j):
        return self.sigmas[j]


class DPMSolver2MKarras(DPMSolver2M):
    def __init__(self, spacing, prediction):
        super().__init__(spacing, prediction, karras=True)


def _int_spacing(n, spacing, ascending=False):
    """DDIM (descending) / PNDM (ascending) int64 grids."""
    if spacing == "linspace":
        ts = np.linspace(0, T_TRAIN - 1, n).round().astype(np.int64)
        return ts if ascending else ts[::-1].copy()
    if spacing == "leading":
        ratio = T_TRAIN // n
        ts = (np.arange(0, n) * ratio).round()
        if not ascending:
            ts = ts[::-1].copy().astype(np.int64)
        return ts + STEPS_OFFSET
    if spacing == "trailing":
        ratio = T_TRAIN / n
        ts = np.round(np.arange(T_TRAIN, 0, -ratio))
        ts = (ts[::-1] if ascending else ts).astype(np.int64)
        return ts - 1
    raise Refused(f"{spacing} is not supported.")


class _AlphaBarNoise:
    integer_timesteps = True
    init_noise_sigma = 1.0

    def scale_model_input(self, sample, t):
        return sample

    def noise_coefficients(self, t):
        ab = ALPHAS_CUMPROD[t]
        return ab ** 0.5, (1 - ab) ** 0.5

    def add_noise(self, x0, noise, t):
        a, b = self.noise_coefficients(t)
        return a * x0 + b * noise

    @staticmethod
    def _abar(t):
        return ALPHAS_CUMPROD[t] if t >= 0 else FINAL_ALPHA_CUMPROD


class DDIM(_AlphaBarNoise):
    name = "ddim"
    has_begin_index = False

    def __init__(self, spacing, prediction):
        self.spacing, self.prediction = spacing, prediction

    def set_timesteps(self, n, strength=1.0):
        if n > T_TRAIN:
            raise Refused("num_inference_steps too large")
        self.n = n
        self.timesteps = torch.from_numpy(_int_spacing(n, self.spacing))

    def step(self, out, t, sample, noise):
        prev_t = t - T_TRAIN // self.n            # always the leading stride
        ab_t = ALPHAS_CUMPROD[t]
        ab_prev = self._abar(prev_t)
        b_t = 1 - ab_t
        if self.prediction == "epsilon":
            x0 = (sample - b_t ** 0.5 * out) / ab_t ** 0.5
            eps = out
        elif self.prediction == "sample":
            x0 = out
            eps = (sample - ab_t ** 0.5 * x0) / b_t ** 0.5
        else:
            x0 = ab_t ** 0.5 * sample - b_t ** 0.5 * out
            eps = ab_t ** 0.5 * out + b_t ** 0.5 * sample
        var = ((1 - ab_prev) / b_t) * (1 - ab_t / ab_prev)
        std = 0.0 * var ** 0.5                  # eta = 0
        return ab_prev ** 0.5 * x0 + (1 - ab_prev - std ** 2) ** 0.5 * eps


class PNDM(_AlphaBarNoise):
    name = "pndm"
    has_begin_index = False

    def __init__(self, spacing, prediction):
        self.spacing, self.prediction = spacing, prediction

    def set_timesteps(self, n, strength=1.0):
        self.n = n
        base = _int_spacing(n, self.spacing, ascending=True)
        # skip_prk_steps: repeat the second-highest timestep, then descend
        plms = np.concatenate([base[:-1], base[-2:-1], base[-1:]])[::-1].copy()
        self.timesteps = torch.from_numpy(plms.astype(np.int64))
        self.ets = []
        self.counter = 0
        self.cur_sample = None

    def _prev_sample(self, sample, t, prev_t, eps):
        ab_t = ALPHAS_CUMPROD[t]
        ab_prev = self._abar(prev_t)
        b_t = 1 - ab_t
        b_prev = 1 - ab_prev
        if self.prediction == "v_prediction":
            eps = ab_t ** 0.5 * eps + b_t ** 0.5 * sample
        elif self.prediction != "epsilon":
            raise Refused(f"prediction_type given as {self.prediction} must be one of `epsilon` or `v_prediction`")
        coeff = (ab_prev / ab_t) ** 0.5
        denom = ab_t * b_prev ** 0.5 + (ab_t * b_t * ab_prev) ** 0.5
        return coeff * sample - (ab_prev - ab_t) * eps / denom

    def step(self, out, t, sample, noise):
        stride = T_TRAIN // self.n
        prev_t = t - stride
        if self.counter != 1:
            self.ets = self.ets[-3:]
            self.ets.append(out)
        else:
            prev_t = t
            t = t + stride
        e = self.ets
        if len(e) == 1 and self.counter == 0:
            eps = out
            self.cur_sample = sample
        elif len(e) == 1 and self.counter == 1:
            eps = (out + e[-1]) / 2
            sample = self.cur_sample
            self.cur_sample = None
        elif len(e) == 2:
            eps = (3 * e[-1] - e[-2]) / 2
        elif len(e) == 3:
            eps = (23 * e[-1] - 16 * e[-2] + 5 * e[-3]) / 12
        else:
            eps = (1 / 24) * (55 * e[-1] - 59 * e[-2] + 37 * e[-3] - 9 * e[-4])
        nxt = self._prev_sample(sample, t, prev_t, eps)
        self.counter += 1
        return nxt


class LCM(_AlphaBarNoise):
    name = "lcm"
    has_begin_index = True      # it has the method, but the LCM img2img pipeline never calls it

    def __init__(self, spacing, prediction):
        self.spacing, self.prediction = spacing, prediction   # spacing / steps_offset unused by LCM

    def set_timesteps(self, n, strength=1.0):
        orig = LCM_ORIGINAL_STEPS
        k = T_TRAIN // orig
        origin = np.asarray(list(range(1, int(orig * strength) + 1))) * k - 1
        if n > T_TRAIN:
            raise Refused(f"`num_inference_steps`: {n} cannot be larger than `self.config.train_timesteps`:"
                          f" {T_TRAIN} as the unet model trained with this scheduler can only handle"
                          f" maximal {T_TRAIN} timesteps.")
        skipping = len(origin) // n
        if skipping < 1:
            raise Refused(
                f"The combination of `original_steps x strength`: {orig} x {strength} is smaller than "
                f"`num_inference_steps`: {n}. Make sure to either reduce `num_inference_steps` to a value smaller "
                f"than {int(orig * strength)} or increase `strength` to a value higher than {float(n / orig)}.")
        if n > orig:
            raise Refused(
                f"`num_inference_steps`: {n} cannot be larger than `original_inference_steps`: {orig} because the "
                f"final timestep schedule will be a subset of the `original_inference_steps`-sized initial timestep "
                f"schedule.")
        self.n = n
        desc = origin[::-1].copy()
        pick = np.floor(np.linspace(0, len(desc), num=n, endpoint=False)).astype(np.int64)
        self.timesteps = torch.from_numpy(desc[pick]).to(dtype=torch.long)
        self.step_index = None

    def step(self, out, t, sample, noise):
        if self.step_index is None:
            self.step_index = _index_first_occurrence_rule(self.timesteps, t)
        i = self.step_index
        prev_t = self.timesteps[i + 1] if i + 1 < len(self.timesteps) else t
        ab_t = ALPHAS_CUMPROD[t]
        ab_prev = self._abar(prev_t)
        b_t = 1 - ab_t
        b_prev = 1 - ab_prev
        st = t * LCM_TIMESTEP_SCALING                    # int64 tensor * float -> float32
        c_skip = LCM_SIGMA_DATA ** 2 / (st ** 2 + LCM_SIGMA_DATA ** 2)
        c_out = st / (st ** 2 + LCM_SIGMA_DATA ** 2) ** 0.5
        if self.prediction == "epsilon":
            x0 = (sample - b_t.sqrt() * out) / ab_t.sqrt()
        elif self.prediction == "sample":
            x0 = out
        else:
            x0 = ab_t.sqrt() * sample - b_t.sqrt() * out
        denoised = c_out * x0 + c_skip * sample
        if i != self.n - 1:
            nxt = ab_prev.sqrt() * denoised + b_prev.sqrt() * noise
        else:
            nxt = denoised
        self.step_index += 1
        return nxt


CLASSES = {"euler": Euler, "euler_a": EulerAncestral, "ddim": DDIM, "dpmpp_2m": DPMSolver2M,
           "dpmpp_2m_karras": DPMSolver2MKarras, "pndm": PNDM, "lcm": LCM}


# --------------------------------------------------------------------------- fake model / noise

K = np.arange(8, dtype=np.float64)


def _f32(v):
    return torch.from_numpy(np.asarray(v, dtype=np.float64).astype(np.float32))


N0 = _f32(1.2 * np.sin(1.7 * K + 0.3))
CLEAN = _f32(0.4 * np.sin(0.5 * K + 0.2))


def step_noise(i):
    return _f32(np.cos(0.9 * K + 1.1 * i + 0.5))


def fake_model(x_in, t):
    tv = float(t)
    x = x_in.numpy().astype(np.float64)
    return _f32(0.5 * x * math.cos(tv / 300) + 0.2 * np.sin(0.37 * K + tv / 150))


# --------------------------------------------------------------------------- cases

IMG2IMG_REFUSAL = ("After adjusting the num_inference_steps by strength parameter: {s}, the number of pipeline"
                   "steps is {n} which is < 1 and not appropriate for this pipeline.")


def _num(x):
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    return float("%.9g" % x)


def _vec(t):
    return [_num(v) for v in t.tolist()]


def run_case(sched_name, spacing, prediction, n, strength, trajectory):
    case = {"scheduler": sched_name, "spacing": spacing, "prediction": prediction, "steps": n,
            "strength": strength, "refused": None, "timesteps": None, "sigmas": None,
            "alphas_cumprod": None, "init_noise_sigma": None, "noise_scale": None,
            "trajectory": None, "final": None, "model_timesteps_int64": None}
    s = CLASSES[sched_name](spacing, prediction)
    img2img = strength < 1.0
    try:
        if sched_name == "lcm":
            s.set_timesteps(n, strength=strength)
            run = list(s.timesteps)
            begin = 0
        else:
            s.set_timesteps(n)
            init = min(int(n * strength), n)
            begin = max(n - init, 0)          # scheduler.order == 1 for all of them
            run = list(s.timesteps[begin:])
            if img2img and s.has_begin_index:
                s.set_begin_index(begin)
            if img2img and init < 1:
                case["timesteps"] = []
                raise Refused(IMG2IMG_REFUSAL.format(s=strength, n=n - begin))
    except Refused as e:
        case["refused"] = str(e)
        return case

    int_ts = s.integer_timesteps
    case["timesteps"] = [int(t) if int_ts else _num(t) for t in run]
    case["model_timesteps_int64"] = [int(np.array([t], dtype=np.int64)[0]) for t in run]
    if sched_name in ("euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras"):
        case["sigmas"] = [_num(s.sigma_at(begin + j)) for j in range(len(run))] + [_num(s.sigma_at(-1))]
    else:
        case["alphas_cumprod"] = [_num(ALPHAS_CUMPROD[t]) for t in run]
    case["init_noise_sigma"] = _num(s.init_noise_sigma)

    if img2img:
        a, b = s.noise_coefficients(run[0])
        case["noise_scale"] = [_num(a), _num(b)]
        sample = s.add_noise(CLEAN, N0, run[0])
    else:
        sample = N0 * s.init_noise_sigma

    if not trajectory:
        return case
    traj = []
    try:
        for i, t in enumerate(run):
            x_in = s.scale_model_input(sample, t)
            out = fake_model(x_in, t)
            sample = s.step(out, t, sample, step_noise(i))
            if i < TRAJECTORY_STEPS:
                traj.append(_vec(sample))
    except Refused as e:
        case["refused"] = str(e)
        return case
    case["trajectory"] = traj
    case["final"] = _vec(sample)
    return case


# --------------------------------------------------------------------------- engine noise

MASK64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def uniform(self):                      # in (0, 1]
        return ((self.next() >> 11) + 1) * 2.0 ** -53


def gaussian_values(seed, count):
    rng = SplitMix64(seed)
    out = []
    while len(out) < count:
        u1 = rng.uniform()
        u2 = rng.uniform()
        r = math.sqrt(-2.0 * math.log(u1))
        th = 2.0 * math.pi * u2
        out.append(r * math.cos(th))
        out.append(r * math.sin(th))
    return [_num(np.float32(v)) for v in out[:count]]


# --------------------------------------------------------------------------- main

def config_block():
    common = {"num_train_timesteps": T_TRAIN, "beta_start": BETA_START, "beta_end": BETA_END,
              "beta_schedule": "scaled_linear", "steps_offset": STEPS_OFFSET, "set_alpha_to_one": False,
              "clip_sample": False, "timestep_spacing": "per case", "prediction_type": "per case",
              "trained_betas": None, "rescale_betas_zero_snr": False, "thresholding": False}
    return {
        "common": common,
        "euler": {"interpolation_type": "linear", "use_karras_sigmas": False, "final_sigmas_type": "zero",
                  "timestep_type": "discrete", "s_churn": 0.0, "s_tmin": 0.0, "s_tmax": "inf", "s_noise": 1.0},
        "euler_a": {},
        "ddim": {"eta": 0.0, "use_clipped_model_output": False},
        "dpmpp_2m": {"algorithm_type": "dpmsolver++", "solver_order": 2, "solver_type": "midpoint",
                     "lower_order_final": True, "euler_at_final": False, "final_sigmas_type": "zero",
                     "use_karras_sigmas": False, "lambda_min_clipped": "-inf", "variance_type": None},
        "dpmpp_2m_karras": {"algorithm_type": "dpmsolver++", "solver_order": 2, "solver_type": "midpoint",
                            "lower_order_final": True, "euler_at_final": False, "final_sigmas_type": "zero",
                            "use_karras_sigmas": True, "lambda_min_clipped": "-inf", "variance_type": None},
        "pndm": {"skip_prk_steps": True},
        "lcm": {"original_inference_steps": LCM_ORIGINAL_STEPS, "timestep_scaling": LCM_TIMESTEP_SCALING,
                "set_alpha_to_one": False, "note": "LCM ignores timestep_spacing and steps_offset"},
    }


def build():
    cases = []
    for sch in SCHEDULERS:
        for sp in SPACINGS:
            for pr in PREDICTIONS:
                for n in FULL_STEPS:
                    for st in FULL_STRENGTHS:
                        cases.append(run_case(sch, sp, pr, n, st, trajectory=True))
    done = {(c["scheduler"], c["spacing"], c["prediction"], c["steps"], c["strength"]) for c in cases}
    for sch in SCHEDULERS:
        for sp in SPACINGS:
            for n in TS_ONLY_STEPS:
                for st in TS_ONLY_STRENGTHS:
                    if (sch, sp, "epsilon", n, st) in done:
                        continue
                    cases.append(run_case(sch, sp, "epsilon", n, st, trajectory=False))
    return {
        "generator": GENERATOR,
        "diffusers_commit": DIFFUSERS_COMMIT,
        "config": config_block(),
        "cases": cases,
        "gaussian_noise": [{"seed": str(sd), "values": gaussian_values(sd, 8)}
                           for sd in (0, 1, 9223372036854775807)],
    }


def self_checks(data):
    idx = {(c["scheduler"], c["spacing"], c["prediction"], c["steps"], c["strength"]): c for c in data["cases"]}
    results = []

    def close(a, b, tol):
        return a is not None and abs(a - b) <= tol

    def check(label, ok, got):
        results.append((label, bool(ok), got))

    c = idx[("euler", "linspace", "epsilon", 4, 1.0)]
    check("euler linspace N=4 timesteps 999,666,333,0", c["timesteps"] == [999, 666, 333, 0], c["timesteps"])
    check("euler linspace N=4 sigmas 14.6147,2.9183,0.9324,0.0292,0",
          all(close(a, b, 6e-5) for a, b in zip(c["sigmas"], [14.6147, 2.9183, 0.9324, 0.0292, 0.0])), c["sigmas"])
    c = idx[("dpmpp_2m", "linspace", "epsilon", 30, 1.0)]
    check("dpmpp_2m linspace N=30 t[15]=499 sigma 1.6129",
          c["timesteps"][15] == 499 and close(c["sigmas"][15], 1.6129, 6e-5), (c["timesteps"][15], c["sigmas"][15]))
    c = idx[("dpmpp_2m_karras", "linspace", "epsilon", 4, 1.0)]
    check("dpmpp_2m_karras N=4 timesteps 999,687,146,0", c["timesteps"] == [999, 687, 146, 0], c["timesteps"])
    check("dpmpp_2m_karras N=4 sigmas 14.6147,3.1686,0.4469,0.0292,0",
          all(close(a, b, 6e-5) for a, b in zip(c["sigmas"], [14.6147, 3.1686, 0.4469, 0.0292, 0.0])), c["sigmas"])
    c = idx[("dpmpp_2m_karras", "linspace", "epsilon", 20, 0.75)]
    check("dpmpp_2m_karras N=20 s=0.75 img2img sigma 4.49984", close(c["sigmas"][0], 4.49984, 6e-6),
          (c["sigmas"][0], c["noise_scale"]))
    c = idx[("lcm", "linspace", "epsilon", 4, 0.6)]
    check("lcm N=4 s=0.6 timesteps 599,459,299,159 a=sqrt(abar[599])=0.4022",
          c["timesteps"] == [599, 459, 299, 159] and close(c["noise_scale"][0], 0.4022, 6e-5)
          and close(c["noise_scale"][0], float(ALPHAS_CUMPROD[599] ** 0.5), 1e-7),
          (c["timesteps"], c["noise_scale"]))
    c = idx[("lcm", "linspace", "epsilon", 50, 0.6)]
    check("lcm N=50 s=0.6 refused", c["refused"] is not None, c["refused"])
    c = idx[("lcm", "linspace", "epsilon", 4, 1.0)]
    check("lcm N=4 s=1 timesteps 999,759,499,259", c["timesteps"] == [999, 759, 499, 259], c["timesteps"])
    c = idx[("euler", "leading", "epsilon", 20, 0.75)]
    check("euler leading N=20 s=0.75 first t 701, 15 steps, sigma 3.3478",
          c["timesteps"][0] == 701 and len(c["timesteps"]) == 15 and close(c["sigmas"][0], 3.3478, 6e-5),
          (c["timesteps"][0], len(c["timesteps"]), c["sigmas"][0]))
    c = idx[("ddim", "leading", "epsilon", 20, 0.75)]
    check("ddim leading N=20 s=0.75 t 701 sqrt(abar)=0.28621",
          c["timesteps"][0] == 701 and close(c["noise_scale"][0], 0.28621, 6e-6),
          (c["timesteps"][0], c["noise_scale"]))
    c = idx[("pndm", "leading", "epsilon", 4, 1.0)]
    check("pndm leading N=4 timesteps 751,501,501,251,1", c["timesteps"] == [751, 501, 501, 251, 1], c["timesteps"])
    # int64 cast of the model timestep: numpy truncation of a torch scalar
    check("int64 cast truncates torch float32 scalars",
          int(np.array([torch.tensor(964.99, dtype=torch.float32)], dtype=np.int64)[0]) == 964, None)
    return results


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        repo, "src", "test", "resources", "scheduler-reference", "diffusers-tables.json")
    data = build()
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(data, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {out}: {len(data['cases'])} cases, {os.path.getsize(out)} bytes")
    failed = 0
    for label, ok, got in self_checks(data):
        print(("PASS " if ok else "FAIL ") + label + ("" if ok else f"  got {got}"))
        failed += not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
