"""PyTorch reference of diffusers' StableDiffusionXLPipeline / StableDiffusionXLImg2ImgPipeline with an LCM-distilled
UNet and the LCMScheduler, run on the tiny LCM-SDXL fixture; writes the parity fixtures into tools/tiny-sdxl/parity-lcm/.

    /usr/bin/python3 tools/tiny-sdxl/reference_lcm.py        (after export_onnx.py and export_onnx.py --variant lcm)

Written from diffusers' formulas: pipeline_stable_diffusion_xl.py (do_classifier_free_guidance is false when the UNet
has time_cond_proj_dim; the guidance embedding get_guidance_scale_embedding(guidance_scale - 1, time_cond_proj_dim)
passed as timestep_cond; latents times init_noise_sigma = 1; scale_model_input the identity; the step's generator),
pipeline_stable_diffusion_xl_img2img.py (get_timesteps, set_begin_index, prepare_latents, add_noise at timesteps[:1]),
pipeline_latent_consistency_img2img.py (strength passed to set_timesteps instead), scheduling_lcm.py (set_timesteps
from original_inference_steps and strength, get_scalings_for_boundary_condition_discrete, step: the noise drawn with
the pipeline's generator on every step but the last, add_noise). The text encoders, the UNet and the VAE are those of
reference.py / sdxl_modules.py (tiny-sdxl's encoders and VAE, the LCM UNet), checked against the exported graphs.

Every random draw is written as an input. Each case draws from one torch.Generator().manual_seed(seed) in diffusers'
order (image-to-image: the VAE posterior sample, then the add-noise noise; then the initial noise for text-to-image;
then one noise per step except the last), so the inputs are also what diffusers would draw with that generator on CPU.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference as R  # noqa: E402  (tokenizers, prompt encoding, time ids, decoding, the fixture writer)
import sdxl_modules as M  # noqa: E402
from onnx_torch import OnnxGraph  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODEL = os.path.join(REPO, "src", "test", "resources", "models", "tiny-lcm-sdxl")
PARITY = os.path.join(HERE, "parity-lcm")

PROMPT = R.PROMPT
HEIGHT = WIDTH = 64
STEPS = 4
GUIDANCE = 8.0          # lcm-sdxl's model card example; w = guidance - 1 = 7
STRENGTH = 0.5
SEEDS = {"lcm_t2i": 11, "lcm_i2i": 12, "lcm_i2i_lcmpipe": 12, "unet_b2_96x64": 13}


# ---- scheduler ----------------------------------------------------------------------------------------------------
class Lcm:
    """LCMScheduler for the config in scheduler_config.json, float32 as diffusers computes it (timesteps int64)."""

    SIGMA_DATA = 0.5

    def __init__(self, cfg):
        assert cfg["beta_schedule"] == "scaled_linear" and cfg["trained_betas"] is None
        assert not cfg["thresholding"] and not cfg["rescale_betas_zero_snr"]
        self.cfg = cfg
        t = cfg["num_train_timesteps"]
        betas = torch.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, t, dtype=torch.float32) ** 2
        self.alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
        self.final_alpha_cumprod = torch.tensor(1.0) if cfg["set_alpha_to_one"] else self.alphas_cumprod[0]
        self.init_noise_sigma = 1.0
        self.timesteps = None
        self.num_inference_steps = None

    def set_timesteps(self, n, strength=1.0):
        """LCM's origin schedule (1 .. int(original * strength)) * (T // original) - 1, reversed, then n of them at
        floor(linspace(0, len, n, endpoint=False)). steps_offset and timestep_spacing are not read."""
        original = self.cfg["original_inference_steps"]
        k = self.cfg["num_train_timesteps"] // original
        origin = np.asarray(list(range(1, int(original * strength) + 1))) * k - 1
        assert len(origin) // n >= 1 and n <= original, "diffusers raises here"
        origin = origin[::-1].copy()
        index = np.floor(np.linspace(0, len(origin), num=n, endpoint=False)).astype(np.int64)
        self.timesteps = torch.from_numpy(origin[index]).to(torch.long)
        self.num_inference_steps = n

    def scalings(self, t):
        scaled = t * self.cfg["timestep_scaling"]                       # a long tensor times a float: float32
        c_skip = self.SIGMA_DATA ** 2 / (scaled ** 2 + self.SIGMA_DATA ** 2)
        c_out = scaled / (scaled ** 2 + self.SIGMA_DATA ** 2) ** 0.5
        return c_skip, c_out

    def is_last(self, i):
        return i == self.num_inference_steps - 1

    def step(self, model_output, i, sample, noise):
        """step(model_output, timesteps[i], sample) at step index i -> (prev_sample, denoised); noise is the draw
        diffusers makes on every step index but num_inference_steps - 1 (None there)."""
        t = self.timesteps[i]
        prev_t = self.timesteps[i + 1] if i + 1 < len(self.timesteps) else t
        alpha = self.alphas_cumprod[t]
        alpha_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        beta, beta_prev = 1 - alpha, 1 - alpha_prev
        c_skip, c_out = self.scalings(t)
        assert self.cfg["prediction_type"] == "epsilon"
        x0 = (sample - beta.sqrt() * model_output) / alpha.sqrt()
        if self.cfg["clip_sample"]:
            x0 = x0.clamp(-self.cfg["clip_sample_range"], self.cfg["clip_sample_range"])
        denoised = c_out * x0 + c_skip * sample
        if not self.is_last(i):
            assert noise is not None
            return alpha_prev.sqrt() * denoised + beta_prev.sqrt() * noise, denoised
        assert noise is None
        return denoised, denoised

    def add_noise(self, original, noise, t):
        a = self.alphas_cumprod[t]
        return a ** 0.5 * original + (1 - a) ** 0.5 * noise


def guidance_embedding(w, dim, dtype=torch.float32):
    """get_guidance_scale_embedding(torch.tensor(w).repeat(1), embedding_dim=dim): float32 throughout, as diffusers."""
    w = torch.tensor(w).repeat(1) * 1000.0
    half = dim // 2
    emb = torch.log(torch.tensor(10000.0)) / (half - 1)
    emb = torch.exp(torch.arange(half, dtype=dtype) * -emb)
    emb = w.to(dtype)[:, None] * emb[None, :]
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=1)
    if dim % 2 == 1:
        emb = torch.nn.functional.pad(emb, (0, 1))
    return emb


def guidance_embedding_float64(w, dim):
    """The same formula in double precision (as StableDiffusionPipeline.guidanceEmbedding computes it), rounded once."""
    half = dim // 2
    f = np.exp(-np.log(10000.0) / (half - 1) * np.arange(half, dtype=np.float64))
    arg = w * 1000.0 * f
    return torch.from_numpy(np.concatenate([np.sin(arg), np.cos(arg)])[None].astype(np.float32))


# ---- the pipeline -------------------------------------------------------------------------------------------------
class LcmSdxl(R.Sdxl):
    def __init__(self):    # not R.Sdxl.__init__: this folder and the LCM UNet
        self.text_encoder, self.text_encoder_2, _ = M.build_models()
        self.unet = M.build_lcm_unet()
        self.tokenizer = R.Tokenizer(os.path.join(MODEL, "tokenizer"))
        self.tokenizer_2 = R.Tokenizer(os.path.join(MODEL, "tokenizer_2"))
        self.index = json.load(open(os.path.join(MODEL, "model_index.json")))
        assert self.index["_class_name"] == "StableDiffusionXLPipeline"
        assert self.index["scheduler"] == ["diffusers", "LCMScheduler"]
        self.scheduler_config = json.load(open(os.path.join(MODEL, "scheduler", "scheduler_config.json")))
        assert self.scheduler_config["_class_name"] == "LCMScheduler"
        self.unet_config = json.load(open(os.path.join(MODEL, "unet", "config.json")))
        self.time_cond_proj_dim = self.unet_config["time_cond_proj_dim"]
        self.vae_config = json.load(open(os.path.join(MODEL, "vae_decoder", "config.json")))
        self.vae_scale_factor = 2 ** (len(self.vae_config["block_out_channels"]) - 1)
        self.vae_decoder = OnnxGraph(os.path.join(MODEL, "vae_decoder", "model.onnx"))
        self.vae_encoder = OnnxGraph(os.path.join(MODEL, "vae_encoder", "model.onnx"))
        for module, part in ((self.text_encoder, "text_encoder"), (self.text_encoder_2, "text_encoder_2"),
                             (self.unet, "unet")):
            R.same_weights(module, os.path.join(MODEL, part, "model.onnx"))

    def do_classifier_free_guidance(self, guidance):
        return guidance > 1 and self.time_cond_proj_dim is None         # false here: no CFG batch

    def conditioning(self, prompt, guidance, rec, cond_fn=guidance_embedding):
        assert not self.do_classifier_free_guidance(guidance)
        embeds, _, pooled, _ = self.encode_prompt(prompt, None, False, rec)   # no negative side at all
        time_ids = self.add_time_ids(HEIGHT, WIDTH)                            # one row: no CFG batch
        rec.out("add_time_ids", time_ids)
        cond = cond_fn(guidance - 1, self.time_cond_proj_dim)
        rec.out("timestep_cond", cond)
        return embeds, pooled, time_ids, cond

    def denoise(self, latents, sched, begin, embeds, cond, pooled, time_ids, gen, rec):
        """The loop over timesteps[begin:]; step k (from 1) is scheduler step index begin + k - 1."""
        shape = latents.shape
        for k, t in enumerate(sched.timesteps[begin:], start=1):
            i = begin + k - 1
            model_input = latents                                   # LCM's scale_model_input returns it unchanged
            out = self.unet(model_input, t, embeds, cond, pooled, time_ids)
            noise = None if sched.is_last(i) else torch.randn(shape, generator=gen, dtype=torch.float32)
            latents, denoised = sched.step(out, i, latents, noise)
            rec.out(f"latent_model_input_step{k}", model_input)
            rec.out(f"unet_out_step{k}", out)
            if noise is not None:
                rec.inp(f"noise_step{k}", noise)
            rec.out(f"denoised_step{k}", denoised)
            if not sched.is_last(i):
                rec.out(f"latents_step{k}", latents)                # prev_sample
            if k == 1:
                rec.first_unet_call = (model_input, t, embeds, cond, pooled, time_ids, out)
        rec.out("latents_final", latents)                           # the last step's prev_sample = its denoised
        return latents

    def text_to_image(self, prompt, guidance, seed, rec, cond_fn=guidance_embedding):
        embeds, pooled, time_ids, cond = self.conditioning(prompt, guidance, rec, cond_fn)
        sched = Lcm(self.scheduler_config)
        sched.set_timesteps(STEPS)
        rec.out("timesteps", sched.timesteps)
        rec.out("init_noise_sigma", np.array([sched.init_noise_sigma], np.float32))
        gen = torch.Generator().manual_seed(seed)
        shape = (1, 4, HEIGHT // self.vae_scale_factor, WIDTH // self.vae_scale_factor)
        noise = torch.randn(shape, generator=gen, dtype=torch.float32)
        rec.inp("initial_noise", noise)
        latents = noise * sched.init_noise_sigma
        rec.out("initial_latents", latents)
        latents = self.denoise(latents, sched, 0, embeds, cond, pooled, time_ids, gen, rec)
        return sched, self.decode(latents, rec)

    def image_to_image(self, prompt, guidance, pixels, seed, rule, rec):
        """rule "sdxl": StableDiffusionXLImg2ImgPipeline (what diffusers runs for an LCM-SDXL folder): the full
        4-step LCM schedule, its last min(int(4 * strength), 4) steps, begin index t_start. rule "lcmpipe":
        LatentConsistencyModelImg2ImgPipeline's rule (diffusers' SD-1.5 LCM img2img): strength passed to
        set_timesteps, all 4 steps run."""
        embeds, pooled, time_ids, cond = self.conditioning(prompt, guidance, rec)
        sched = Lcm(self.scheduler_config)
        if rule == "sdxl":
            sched.set_timesteps(STEPS)
            init_timestep = min(int(STEPS * STRENGTH), STEPS)
            begin = max(STEPS - init_timestep, 0)
        else:
            sched.set_timesteps(STEPS, strength=STRENGTH)
            begin = 0
        rec.out("timesteps", sched.timesteps[begin:])
        rec.out("schedule_timesteps", sched.timesteps)
        rec.out("begin_index", np.array([begin], np.int64))
        gen = torch.Generator().manual_seed(seed)
        image = torch.from_numpy(pixels.astype(np.float32) / 255.0).permute(2, 0, 1)[None] * 2.0 - 1.0
        rec.inp("init_image", image)
        params = self.vae_encoder(sample=image)["latent_parameters"]
        rec.out("latent_parameters", params)
        mean, logvar = params.chunk(2, dim=1)                   # DiagonalGaussianDistribution.sample(generator)
        std = torch.exp(0.5 * logvar.clamp(-30.0, 20.0))
        posterior_noise = torch.randn(mean.shape, generator=gen, dtype=torch.float32)
        rec.inp("posterior_noise", posterior_noise)
        image_latents = self.vae_config["scaling_factor"] * (mean + std * posterior_noise)
        rec.out("image_latents", image_latents)
        noise = torch.randn(image_latents.shape, generator=gen, dtype=torch.float32)
        rec.inp("noise", noise)
        latents = sched.add_noise(image_latents, noise, sched.timesteps[begin])   # latent_timestep = timesteps[:1]
        rec.out("initial_latents", latents)
        latents = self.denoise(latents, sched, begin, embeds, cond, pooled, time_ids, gen, rec)
        return sched, begin, self.decode(latents, rec)


class Discard:
    """A recorder that keeps nothing (for the precision side run)."""
    first_unet_call = None

    def inp(self, *args, **kwargs):
        pass

    def out(self, *args, **kwargs):
        pass


class Writer(R.Writer):
    HEAD = ("# part in|out name dtype shape file (raw little-endian, C order); written by "
            "tools/tiny-sdxl/reference_lcm.py for src/test/resources/models/tiny-lcm-sdxl\n# pipeline parts: "
            "lcm_t2i, lcm_i2i, lcm_i2i_lcmpipe (see run.json); graph parts: unet, unet_b2_96x64 (inputs in the "
            "graph's own dtype and shape)\n")


def step_table(sched, begin):
    rows = []
    for i in range(begin, len(sched.timesteps)):
        t = sched.timesteps[i]
        prev = sched.timesteps[i + 1] if i + 1 < len(sched.timesteps) else t
        c_skip, c_out = sched.scalings(t)
        rows.append({"step_index": i, "timestep": int(t), "prev_timestep": int(prev),
                     "alpha_prod_t": float(sched.alphas_cumprod[t]), "alpha_prod_t_prev": float(sched.alphas_cumprod[prev]),
                     "c_skip": float(c_skip), "c_out": float(c_out), "draws_noise": not sched.is_last(i)})
    return rows


def main():
    torch.set_num_threads(1)
    os.makedirs(PARITY, exist_ok=True)
    for f in os.listdir(PARITY):
        if f.endswith(".bin") or f.endswith(".png") or f in ("manifest.txt", "run.json"):
            os.remove(os.path.join(PARITY, f))
    pipe = LcmSdxl()
    w = Writer(PARITY)
    run = {"model": "src/test/resources/models/tiny-lcm-sdxl", "prompt": PROMPT, "height": HEIGHT, "width": WIDTH,
           "num_inference_steps": STEPS, "guidance_scale": GUIDANCE, "w": GUIDANCE - 1,
           "time_cond_proj_dim": pipe.time_cond_proj_dim, "scheduler": pipe.scheduler_config,
           "vae_scaling_factor": pipe.vae_config["scaling_factor"], "vae_scale_factor": pipe.vae_scale_factor,
           "classifier_free_guidance": False,
           "noise": {"seeds": SEEDS, "rule": "each case draws every random tensor from one "
                     "torch.Generator().manual_seed(seed), in diffusers' order, each written as an input: text-to-image "
                     "initial_noise, then noise_step1, noise_step2, ... (every step but the last); image-to-image "
                     "posterior_noise, noise, then the steps' noises. A Java run injects them in that order through "
                     "one NoiseSource per image."},
           "cases": {}}

    with torch.no_grad():
        rec = R.Recorder(w, "lcm_t2i")
        sched, (_, pixels) = pipe.text_to_image(PROMPT, GUIDANCE, SEEDS["lcm_t2i"], rec)
        Image.fromarray(pixels[0]).save(os.path.join(PARITY, "lcm_t2i.image.png"))
        t2i_first = rec.first_unet_call
        run["cases"]["lcm_t2i"] = {
            "kind": "text-to-image", "negative_prompt": None, "guidance_scale": GUIDANCE,
            "timesteps": sched.timesteps.tolist(), "steps": step_table(sched, 0),
            "note": "StableDiffusionXLPipeline with the LCM UNet: no CFG batch (time_cond_proj_dim set), so no "
                    "negative embeddings and one add_time_ids row; timestep_cond = get_guidance_scale_embedding(w = 7, "
                    "16) in float32; latents = initial_noise * init_noise_sigma (1.0); scale_model_input is the "
                    "identity (latent_model_input_stepK = the latents before step K); the 4th (last) step draws no "
                    "noise and returns denoised, which is latents_final and what is decoded"}

        pixels_in = R.input_picture()
        for part, rule in (("lcm_i2i", "sdxl"), ("lcm_i2i_lcmpipe", "lcmpipe")):
            Image.fromarray(pixels_in).save(os.path.join(PARITY, f"{part}.input.png"))
            rec = R.Recorder(w, part)
            rec.inp("init_image_uint8", pixels_in[None])
            sched, begin, (_, pixels) = pipe.image_to_image(PROMPT, GUIDANCE, pixels_in, SEEDS[part], rule, rec)
            Image.fromarray(pixels[0]).save(os.path.join(PARITY, f"{part}.image.png"))
            run["cases"][part] = {
                "kind": "image-to-image", "negative_prompt": None, "guidance_scale": GUIDANCE, "strength": STRENGTH,
                "input_image": f"{part}.input.png (also {part}.init_image_uint8.bin, NHWC uint8; tiny-sdxl's "
                               "i2i_s05 picture)",
                "schedule_timesteps": sched.timesteps.tolist(), "begin_index": begin,
                "timesteps": sched.timesteps[begin:].tolist(), "steps": step_table(sched, begin)}
        run["cases"]["lcm_i2i"]["note"] = (
            "diffusers' StableDiffusionXLImg2ImgPipeline with LCMScheduler (what AutoPipelineForImage2Image runs for "
            "an LCM-SDXL folder): retrieve_timesteps(scheduler, 4) gives the full LCM schedule 999, 759, 499, 259 "
            "(strength is not passed to set_timesteps); get_timesteps: init_timestep = min(int(4 * 0.5), 4) = 2, "
            "t_start = 2, timesteps 499, 259, set_begin_index(2); latents = add_noise(image_latents, noise, 499); "
            "step index 2 draws noise_step1, step index 3 (num_inference_steps - 1 = 3) draws none; add_time_ids "
            "[64, 64, 0, 0, 64, 64] (requires_aesthetics_score false)")
        run["cases"]["lcm_i2i_lcmpipe"]["note"] = (
            "NOT what diffusers runs for an SDXL folder: LatentConsistencyModelImg2ImgPipeline's rule (diffusers' "
            "SD-1.5 LCM image-to-image, and the rule of this engine's LcmScheduler): set_timesteps(4, strength=0.5): "
            "origin timesteps (1..25) * 20 - 1, reversed, indices floor(linspace(0, 25, 4, endpoint=False)) = 0, 6, "
            "12, 18 -> 499, 379, 259, 139, all 4 steps; latents = add_noise(image_latents, noise, 499); steps 1-3 "
            "draw noise, step 4 none; the SDXL conditioning otherwise as lcm_i2i (same seed: same posterior_noise "
            "and noise as lcm_i2i)")

        # graph-level parts: inputs in the graph's declared dtype and rank
        ts_type = R.graph_inputs(os.path.join(MODEL, "unet", "model.onnx"))["timestep"]
        ts_rank = len(ts_type.shape.dim)
        ts_dtype = {onnx.TensorProto.INT64: "int64", onnx.TensorProto.INT32: "int32",
                    onnx.TensorProto.FLOAT: "float32"}[ts_type.elem_type]

        def unet_part(part, sample, t, embeds, cond, text_embeds, time_ids, out):
            w.add(part, "in", "sample", sample)
            tv = np.array([float(t)]) if ts_rank == 1 else np.array(float(t))
            w.add(part, "in", "timestep", tv, ts_dtype)
            w.add(part, "in", "encoder_hidden_states", embeds)
            w.add(part, "in", "timestep_cond", cond)
            w.add(part, "in", "text_embeds", text_embeds)
            w.add(part, "in", "time_ids", time_ids)
            w.add(part, "out", "out_sample", out)

        unet_part("unet", *t2i_first)
        # batch 2 with a different guidance per row (8.0 and 1.5: w = 7 and 0.5), latents 12 x 8 (96 x 64 px),
        # t = 499, time ids [96, 64, 0, 0, 96, 64]
        g = torch.Generator().manual_seed(SEEDS["unet_b2_96x64"])
        sample = torch.randn((2, 4, 12, 8), generator=g, dtype=torch.float32)
        _, _, embeds1, _, pooled1, _, _ = t2i_first
        embeds2, pooled2 = torch.cat([embeds1, embeds1]), torch.cat([pooled1, pooled1])
        cond2 = torch.cat([guidance_embedding(7.0, pipe.time_cond_proj_dim),
                           guidance_embedding(0.5, pipe.time_cond_proj_dim)])
        t2 = torch.tensor(499, dtype=torch.long)
        time_ids2 = torch.cat([pipe.add_time_ids(96, 64)] * 2)
        unet_part("unet_b2_96x64", sample, t2, embeds2, cond2, pooled2, time_ids2,
                  pipe.unet(sample, t2, embeds2, cond2, pooled2, time_ids2))

        # how much the guidance embedding's precision matters: diffusers computes it in float32; the same formula in
        # double precision (then rounded to float32) differs by the float32 rounding of the arguments (up to 7000)
        cond32 = guidance_embedding(GUIDANCE - 1, pipe.time_cond_proj_dim)
        cond64 = guidance_embedding_float64(GUIDANCE - 1, pipe.time_cond_proj_dim)
        s, t, e, _, p, ti, out = t2i_first
        out64 = pipe.unet(s, t, e, cond64, p, ti)
        _, (_, pixels64) = pipe.text_to_image(PROMPT, GUIDANCE, SEEDS["lcm_t2i"], Discard(),
                                              cond_fn=guidance_embedding_float64)
        pixels32 = np.fromfile(os.path.join(PARITY, "lcm_t2i.image_uint8.bin"), np.uint8)
        diff = np.abs(pixels64.reshape(-1).astype(int) - pixels32.astype(int))
        run["guidance_embedding_precision"] = {
            "w": GUIDANCE - 1,
            "max_abs_float32_vs_float64": float((cond32 - cond64).abs().max()),
            "unet_out_step1_max_abs_change": float((out64 - out).abs().max()),
            "unet_out_step1_max_abs": float(out.abs().max()),
            "lcm_t2i_image_uint8_levels_changed": int((diff > 0).sum()), "lcm_t2i_image_uint8_max_change": int(diff.max()),
            "note": "timestep_cond written here is diffusers' float32 computation; an implementation in double "
                    "precision differs from it by the amounts above"}

    w.manifest()
    run["unet_timestep_input"] = {"dtype": ts_dtype, "shape": [1] if ts_rank == 1 else [],
                                  "value": "the scheduler's timestep (an integer), one value for the whole batch"}
    with open(os.path.join(PARITY, "run.json"), "w") as f:
        json.dump(run, f, indent=2)
        f.write("\n")

    # anchors: diffusers' LCMScheduler with original_inference_steps 50 (k = 20), 4 steps
    assert run["cases"]["lcm_t2i"]["timesteps"] == [999, 759, 499, 259], run["cases"]["lcm_t2i"]["timesteps"]
    assert run["cases"]["lcm_i2i"]["timesteps"] == [499, 259] and run["cases"]["lcm_i2i"]["begin_index"] == 2
    assert run["cases"]["lcm_i2i_lcmpipe"]["timesteps"] == [499, 379, 259, 139]
    size = sum(os.path.getsize(os.path.join(PARITY, f)) for f in os.listdir(PARITY))
    print(f"{len(w.lines)} tensors in {PARITY} ({size} bytes)")
    for part in run["cases"]:
        lat = np.fromfile(os.path.join(PARITY, f"{part}.latents_final.bin"), "<f4")
        img = np.fromfile(os.path.join(PARITY, f"{part}.image_uint8.bin"), np.uint8)
        print(f"  {part}: timesteps {run['cases'][part]['timesteps']}, final latents std {lat.std():.3f}, "
              f"picture mean {img.mean():.1f}")
    print("  guidance embedding float32 vs float64: " + json.dumps(run["guidance_embedding_precision"]))


if __name__ == "__main__":
    main()
