"""PyTorch reference of diffusers' FluxPipeline / FluxImg2ImgPipeline with the FlowMatchEulerDiscreteScheduler, run on
the tiny FLUX.1 fixtures; writes tools/tiny-flux/parity-dev/ and parity-schnell/.

    /usr/bin/python3 tools/tiny-flux/flux_reference.py        (after export_flux.py)

Written from diffusers' formulas (pipelines/flux/pipeline_flux.py: _get_clip_prompt_embeds, _get_t5_prompt_embeds,
encode_prompt, prepare_latents, _pack_latents, _unpack_latents, _prepare_latent_image_ids, calculate_shift, the
denoising loop with true CFG, decoding; pipeline_flux_img2img.py: get_timesteps, _encode_vae_image, prepare_latents;
schedulers/scheduling_flow_match_euler_discrete.py: set_timesteps, time_shift, scale_noise, step). The networks run
as the PyTorch modules whose weights the graphs hold (checked first). Every random draw is written as an input.
"""
import json
import math
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
COMMON = os.path.join(REPO, "tools", "tiny-flow-common")
sys.path.insert(0, HERE)
sys.path.insert(0, COMMON)
import export_flux as X  # noqa: E402
import flux_modules as FM  # noqa: E402
import flow_export  # noqa: E402
import t5_encoder  # noqa: E402
import vae16  # noqa: E402
from t5_reference import SlowT5  # noqa: E402  (T5Tokenizer's rules on spiece.model)

SDXL_REF = flow_export.sdxl_module("reference")     # CLIP tokenizer, Writer / Recorder, input_picture, noise
M = flow_export.sdxl_module("sdxl_modules")
STEPS = 4
PROMPT = "a red circle on a blue background"
NEGATIVE = "blurry, low quality"


# ---- scheduler ----------------------------------------------------------------------------------------------------
def calculate_shift(image_seq_len, base_seq_len=256, max_seq_len=4096, base_shift=0.5, max_shift=1.15):
    m = (max_shift - base_shift) / (max_seq_len - base_seq_len)
    b = base_shift - m * base_seq_len
    return image_seq_len * m + b


class FlowMatchEuler:
    """FlowMatchEulerDiscreteScheduler.set_timesteps(sigmas=linspace(1, 1/N, N), mu) as FluxPipeline calls it:
    the sigmas cast to float32 numpy, exponential time shift with mu (use_dynamic_shifting) or the static shift,
    torch float32, timesteps = sigmas * 1000, a final 0 appended."""

    def __init__(self, cfg):
        assert not cfg.get("shift_terminal") and not cfg.get("invert_sigmas")
        assert cfg.get("time_shift_type", "exponential") == "exponential"
        self.cfg = cfg

    def set_timesteps(self, n, mu):
        sigmas = np.linspace(1.0, 1 / n, n).astype(np.float32)
        if self.cfg["use_dynamic_shifting"]:
            sigmas = math.exp(mu) / (math.exp(mu) + (1 / sigmas - 1) ** 1.0)
        else:
            shift = self.cfg["shift"]
            sigmas = shift * sigmas / (1 + (shift - 1) * sigmas)
        sigmas = torch.from_numpy(np.asarray(sigmas)).to(torch.float32)
        self.timesteps = sigmas * self.cfg["num_train_timesteps"]
        self.sigmas = torch.cat([sigmas, torch.zeros(1)])
        return self


def schedule_float64(n, mu, cfg):
    """The same schedule in float64 (for the anchors of the facts page)."""
    s = np.linspace(1.0, 1 / n, n)
    if cfg["use_dynamic_shifting"]:
        return math.exp(mu) / (math.exp(mu) + (1 / s - 1))
    return cfg["shift"] * s / (1 + (cfg["shift"] - 1) * s)


# ---- the pipeline -------------------------------------------------------------------------------------------------
def pack(latents):
    b, c, h, w = latents.shape
    return latents.view(b, c, h // 2, 2, w // 2, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // 2) * (w // 2), c * 4)


def unpack(latents, h, w):
    b, _, c = latents.shape
    return latents.view(b, h // 2, w // 2, c // 4, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(b, c // 4, h, w)


class Flux:
    def __init__(self, variant):
        self.variant = variant
        self.folder = X.OUT[variant]
        self.clip = M.build_models()[0]
        self.t5 = t5_encoder.build_t5_encoder()
        self.transformer = FM.build_transformer(variant)
        self.vae = vae16.build_vae()
        for module, part in ((self.clip, "text_encoder"), (self.t5, "text_encoder_2"),
                             (self.transformer, "transformer"), (vae16.VaeEncoderGraph(self.vae), "vae_encoder"),
                             (vae16.VaeDecoderGraph(self.vae), "vae_decoder")):
            flow_export.same_weights(module, os.path.join(self.folder, part, "model.onnx"))
        self.tokenizer = SDXL_REF.Tokenizer(os.path.join(self.folder, "tokenizer"))
        self.tokenizer_2 = SlowT5(os.path.join(self.folder, "tokenizer_2"))
        self.scheduler_config = json.load(open(os.path.join(self.folder, "scheduler", "scheduler_config.json")))
        self.vae_config = json.load(open(os.path.join(self.folder, "vae_decoder", "config.json")))
        self.transformer_config = json.load(open(os.path.join(self.folder, "transformer", "config.json")))
        self.vae_scale_factor = 2 ** (len(self.vae_config["block_out_channels"]) - 1)

    def encode_prompt(self, prompt, max_sequence_length, rec, side=""):
        """pooled = CLIP pooler_output (77 tokens, padded); prompt_embeds = T5 last_hidden_state of the prompt padded
        to max_sequence_length; text_ids = zeros(T, 3)."""
        ids = self.tokenizer(prompt)
        pooled = self.clip(torch.tensor([ids], dtype=torch.int64))[1]
        ids_2 = self.tokenizer_2(prompt, max_sequence_length)
        embeds = self.t5(torch.tensor([ids_2], dtype=torch.int64))
        rec.out(f"{side}input_ids", np.array([ids], np.int64))
        rec.out(f"{side}input_ids_2", np.array([ids_2], np.int64))
        rec.out(f"{side}prompt_embeds", embeds)
        rec.out(f"{side}pooled_prompt_embeds", pooled)
        return embeds, pooled, torch.zeros(embeds.shape[1], 3, dtype=torch.int64)

    def run(self, rec, height, width, guidance_scale, max_sequence_length, noise, negative_prompt=None,
            true_cfg_scale=1.0, image=None, strength=None, posterior_noise=None):
        embeds, pooled, txt_ids = self.encode_prompt(PROMPT, max_sequence_length, rec)
        do_true_cfg = true_cfg_scale > 1 and negative_prompt is not None
        if do_true_cfg:
            neg_embeds, neg_pooled, neg_txt_ids = self.encode_prompt(negative_prompt, max_sequence_length, rec,
                                                                     "negative_")
        rec.out("txt_ids", txt_ids)
        h = 2 * (height // (self.vae_scale_factor * 2))
        w = 2 * (width // (self.vae_scale_factor * 2))
        img_ids = X.latent_image_ids(h // 2, w // 2)
        rec.out("img_ids", img_ids)
        image_seq_len = (h // 2) * (w // 2)
        c = self.scheduler_config
        mu = calculate_shift(image_seq_len, c["base_image_seq_len"], c["max_image_seq_len"], c["base_shift"],
                             c["max_shift"])
        sched = FlowMatchEuler(c).set_timesteps(STEPS, mu)
        rec.out("sigmas", sched.sigmas)
        timesteps, begin = sched.timesteps, 0
        if image is None:
            rec.inp("initial_noise", noise)
            latents = pack(noise)
        else:
            init_timestep = min(STEPS * strength, STEPS)                      # get_timesteps
            begin = int(max(STEPS - init_timestep, 0))
            timesteps = sched.timesteps[begin:]
            rec.out("begin_index", np.array([begin], np.int64))
            rec.inp("init_image_uint8", image[None])
            pixels = torch.from_numpy(image.astype(np.float32) / 255.0).permute(2, 0, 1)[None] * 2.0 - 1.0
            rec.inp("init_image", pixels)
            params = self.vae.encoder(pixels)
            rec.out("latent_parameters", params)
            mean, logvar = params.chunk(2, dim=1)
            std = torch.exp(0.5 * logvar.clamp(-30.0, 20.0))
            rec.inp("posterior_noise", posterior_noise)
            z = mean + std * posterior_noise
            image_latents = (z - self.vae_config["shift_factor"]) * self.vae_config["scaling_factor"]
            rec.out("image_latents", image_latents)
            rec.inp("noise", noise)
            sigma = sched.sigmas[begin]                                       # scale_noise at the begin index
            latents = pack(sigma * noise + (1.0 - sigma) * image_latents)
        rec.out("timesteps", timesteps)
        rec.out("initial_latents", latents)
        guidance = torch.full([1], guidance_scale, dtype=torch.float32) if self.transformer.guidance_embeds else None
        if guidance is not None:
            rec.out("guidance", guidance)

        def call(x, t, e, p, tid):
            args = (x, e, p, t, img_ids, tid) + ((guidance,) if guidance is not None else ())
            return self.transformer(*args)

        for k, t in enumerate(timesteps):
            timestep = t.expand(latents.shape[0]).to(latents.dtype) / 1000
            out = call(latents, timestep, embeds, pooled, txt_ids)
            noise_pred = out
            if do_true_cfg:
                neg_out = call(latents, timestep, neg_embeds, neg_pooled, neg_txt_ids)
                noise_pred = neg_out + true_cfg_scale * (out - neg_out)
            i = begin + k
            new = latents + (sched.sigmas[i + 1] - sched.sigmas[i]) * noise_pred
            if k == 0:
                rec.out("timestep_step1", timestep)
                rec.out("transformer_in_step1", latents)
                rec.out("transformer_out_step1", out)
                if do_true_cfg:
                    rec.out("negative_transformer_out_step1", neg_out)
                rec.out("noise_pred_step1", noise_pred)
                rec.out("latents_step1", new)
            latents = new
        final = unpack(latents, h, w)
        rec.out("latents_final", final)
        z = final / self.vae_config["scaling_factor"] + self.vae_config["shift_factor"]
        rec.out("latent_sample", z)
        image_out = self.vae.decoder(z)
        rec.out("image", image_out)
        pixels = np.round(((image_out / 2 + 0.5).clamp(0, 1) * 255).permute(0, 2, 3, 1).numpy()).astype(np.uint8)
        rec.out("image_uint8", pixels)
        return {"mu": mu, "image_seq_len": image_seq_len, "latent_shape": [1, 16, h, w],
                "timesteps": timesteps.tolist(), "sigmas": sched.sigmas.tolist(), "begin_index": begin,
                "timestep_fed_step1": float(timesteps[0] / 1000)}, pixels


class Writer(SDXL_REF.Writer):
    def __init__(self, folder, variant, cases, graphs):
        super().__init__(folder)
        self.HEAD = (f"# part in|out name dtype shape file (raw little-endian, C order); written by "
                     f"tools/tiny-flux/flux_reference.py for tiny-flux-{variant}\n# pipeline parts: {', '.join(cases)} "
                     f"(see run.json); graph parts: {', '.join(graphs)} (each graph's inputs and outputs)\n")


def noise(seed, shape):
    return SDXL_REF.noise(seed, shape)


def graph_parts(pipe, w):
    """Each graph on a sample of its own (batch 2 where it matters, non-square where it matters)."""
    ids = torch.tensor([pipe.tokenizer(PROMPT), pipe.tokenizer("")], dtype=torch.int64)
    last, pooled = pipe.clip(ids)[:2]
    w.add("text_encoder", "in", "input_ids", ids)
    w.add("text_encoder", "out", "last_hidden_state", last)
    w.add("text_encoder", "out", "pooler_output", pooled)
    ids2 = torch.tensor([pipe.tokenizer_2(PROMPT, 32), pipe.tokenizer_2(NEGATIVE, 32)], dtype=torch.int64)
    w.add("text_encoder_2", "in", "input_ids", ids2)
    w.add("text_encoder_2", "out", "last_hidden_state", pipe.t5(ids2))
    # transformer: batch 2, 96 wide x 64 high (packed 4 x 6 = 24 tokens), 32 text tokens, two timesteps
    g = torch.Generator().manual_seed(100)
    x = torch.randn(2, 24, 64, generator=g)
    e = pipe.t5(ids2)
    p = torch.cat([pooled[:1], pooled[1:]])
    t = torch.tensor([0.75, 0.5])
    img_ids, txt_ids = X.latent_image_ids(4, 6), torch.zeros(32, 3, dtype=torch.int64)
    args = [x, e, p, t, img_ids, txt_ids] + ([torch.tensor([3.5, 1.0])] if pipe.transformer.guidance_embeds else [])
    names = X.transformer_inputs(pipe.transformer.guidance_embeds)
    for n, v in zip(names, args):
        w.add("transformer_b2_96x64", "in", n, v)
    w.add("transformer_b2_96x64", "out", "out_hidden_states", pipe.transformer(*args))
    z = noise(101, (1, 16, 8, 12))
    w.add("vae_decoder_96x64", "in", "latent_sample", z)
    w.add("vae_decoder_96x64", "out", "sample", pipe.vae.decoder(z))
    pic = torch.from_numpy(SDXL_REF.input_picture().astype(np.float32) / 255.0).permute(2, 0, 1)[None] * 2 - 1
    w.add("vae_encoder", "in", "sample", pic)
    w.add("vae_encoder", "out", "latent_parameters", pipe.vae.encoder(pic))
    return ["text_encoder", "text_encoder_2", "transformer_b2_96x64", "vae_decoder_96x64", "vae_encoder"]


CASES = {
    "dev": [
        ("t2i_g35", dict(kind="text-to-image", height=64, width=64, guidance_scale=3.5, max_sequence_length=512,
                         seeds=[1])),
        ("t2i_g35_96x64", dict(kind="text-to-image", height=64, width=96, guidance_scale=3.5,
                               max_sequence_length=512, seeds=[2])),
        ("t2i_truecfg4", dict(kind="text-to-image", height=64, width=64, guidance_scale=3.5, max_sequence_length=512,
                              negative_prompt=NEGATIVE, true_cfg_scale=4.0, seeds=[1])),
        ("i2i_s06", dict(kind="image-to-image", height=64, width=64, guidance_scale=3.5, max_sequence_length=512,
                         strength=0.6, seeds=[3, 4])),
        ("t2i_g35_msl256", dict(kind="text-to-image", height=64, width=64, guidance_scale=3.5,
                                max_sequence_length=256, seeds=[1])),
    ],
    "schnell": [
        ("t2i", dict(kind="text-to-image", height=64, width=64, guidance_scale=0.0, max_sequence_length=256,
                     seeds=[1])),
        ("i2i_s075", dict(kind="image-to-image", height=64, width=64, guidance_scale=0.0, max_sequence_length=256,
                          strength=0.75, seeds=[3, 4])),
    ],
}


def anchors():
    """The facts page's anchors, from the same formulas in float64 and in diffusers' float32."""
    dev, schnell = X.SCHEDULERS["dev"], X.SCHEDULERS["schnell"]
    mu = calculate_shift((1024 // 16) * (1024 // 16), 256, 4096, 0.5, 1.15)
    s64 = schedule_float64(28, mu, dev)
    s32 = FlowMatchEuler(dev).set_timesteps(28, mu).sigmas
    sch = FlowMatchEuler(schnell).set_timesteps(4, None).sigmas
    assert abs(mu - 1.15) < 1e-12, mu
    assert np.allclose(s64[:3], [1.0, 0.98841, 0.97622], atol=5e-6), s64[:3]
    assert np.allclose(s32[:3].numpy(), [1.0, 0.98841, 0.97622], atol=2e-5), s32[:3]
    assert sch.tolist() == [1.0, 0.75, 0.5, 0.25, 0.0], sch
    return {"flux_dev_1024x1024_28_steps": {"image_seq_len": 4096, "mu": mu, "sigmas_float64_first3": s64[:3].tolist(),
                                            "sigmas_float32_first3": s32[:3].tolist(),
                                            "facts_page": [1, 0.98841, 0.97622]},
            "flux_schnell_4_steps": {"sigmas": sch.tolist(), "facts_page": [1, 0.75, 0.5, 0.25]}}


def main():
    torch.set_num_threads(1)
    anchor = anchors()
    for variant in ("dev", "schnell"):
        folder = os.path.join(HERE, f"parity-{variant}")
        os.makedirs(folder, exist_ok=True)
        for f in os.listdir(folder):
            os.remove(os.path.join(folder, f))
        pipe = Flux(variant)
        cases = CASES[variant]
        w = Writer(folder, variant, [c for c, _ in cases], [])
        run = {"variant": f"FLUX.1-{variant}", "model": os.path.relpath(pipe.folder, REPO), "prompt": PROMPT,
               "num_inference_steps": STEPS, "scheduler": pipe.scheduler_config,
               "vae_scaling_factor": pipe.vae_config["scaling_factor"],
               "vae_shift_factor": pipe.vae_config["shift_factor"], "vae_scale_factor": pipe.vae_scale_factor,
               "guidance_embeds": pipe.transformer_config["guidance_embeds"],
               "noise": "torch.randn(shape, generator=torch.Generator().manual_seed(seed)), shape [1, 16, h, w] "
                        "(planar, before packing); image-to-image: the VAE posterior noise (first seed) then the "
                        "initial latent noise (second seed); written as inputs",
               "anchors": anchor, "cases": {}}
        with torch.no_grad():
            for part, case in cases:
                rec = SDXL_REF.Recorder(w, part)
                h, wd = case["height"] // 8, case["width"] // 8
                picture = SDXL_REF.input_picture() if case["kind"] == "image-to-image" else None
                if picture is not None:
                    Image.fromarray(picture).save(os.path.join(folder, f"{part}.input.png"))
                    posterior, init = noise(case["seeds"][0], (1, 16, h, wd)), noise(case["seeds"][1], (1, 16, h, wd))
                else:
                    posterior, init = None, noise(case["seeds"][0], (1, 16, h, wd))
                info, pixels = pipe.run(rec, case["height"], case["width"], case["guidance_scale"],
                                        case["max_sequence_length"], init, case.get("negative_prompt"),
                                        case.get("true_cfg_scale", 1.0), picture, case.get("strength"), posterior)
                Image.fromarray(pixels[0]).save(os.path.join(folder, f"{part}.image.png"))
                entry = {k: v for k, v in case.items()}
                entry.update(info)
                entry["guidance_input"] = pipe.transformer.guidance_embeds
                entry["true_cfg"] = case.get("true_cfg_scale", 1.0) > 1 and case.get("negative_prompt") is not None
                run["cases"][part] = entry
            graphs = graph_parts(pipe, w)
        w.HEAD = w.HEAD.replace("graph parts:  (each", f"graph parts: {', '.join(graphs)} (each")
        w.manifest()
        with open(os.path.join(folder, "run.json"), "w") as f:
            json.dump(run, f, indent=2)
            f.write("\n")
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        print(f"parity-{variant}: {len(w.lines)} tensors ({size} bytes)")
        for part in run["cases"]:
            c = run["cases"][part]
            lat = np.fromfile(os.path.join(folder, f"{part}.latents_final.bin"), "<f4")
            img = np.fromfile(os.path.join(folder, f"{part}.image_uint8.bin"), np.uint8)
            print(f"  {part}: mu {c['mu']:.6f}, timesteps {[round(t, 3) for t in c['timesteps']]}, final latents std "
                  f"{lat.std():.3f}, picture mean {img.mean():.1f}")
    print(f"anchors: FLUX.1-dev 1024x1024 N=28 mu {anchor['flux_dev_1024x1024_28_steps']['mu']}, sigmas "
          f"{anchor['flux_dev_1024x1024_28_steps']['sigmas_float32_first3']}; schnell N=4 "
          f"{anchor['flux_schnell_4_steps']['sigmas']}")


if __name__ == "__main__":
    main()
