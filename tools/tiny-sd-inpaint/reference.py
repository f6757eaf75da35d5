"""PyTorch reference of diffusers' StableDiffusionInpaintPipeline with a 9-channel UNet and the EulerDiscreteScheduler,
run on the tiny random-weight inpainting fixture; writes the parity fixtures into tools/tiny-sd-inpaint/parity/.

    /usr/bin/python3 tools/tiny-sd-inpaint/reference.py        (after export_onnx.py)

Written from diffusers' pipeline_stable_diffusion_inpaint.py (encode_prompt, get_timesteps, prepare_latents,
_encode_vae_image, prepare_mask_latents, the denoising loop with `num_channels_unet == 9`), image_processor.py
(VaeImageProcessor.preprocess: the picture to [-1, 1]; the mask processor: grayscale, [0, 1], binarized at 0.5) and
scheduling_euler_discrete.py (tiny-sdxl's EulerDiscrete, imported). The UNet runs as the PyTorch module of
inpaint_modules.py (the same weights as the exported graph, checked below), the text encoder as demo_common's module
with the committed graph's weights, the VAE graphs op by op in PyTorch (tiny-sdxl's onnx_torch.py). Every random
draw (the picture's posterior sample at strength < 1, the initial noise, the masked picture's posterior sample) is
written to the fixtures as an input, so a Java run can inject it instead of relying on torch's generator.
"""
import importlib.util
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SDXL = os.path.join(HERE, "..", "tiny-sdxl")
sys.path.insert(0, HERE)
sys.path.insert(1, SDXL)
sys.path.insert(2, os.path.join(HERE, "..", "demo-model"))
import inpaint_modules as M  # noqa: E402
from onnx_torch import OnnxGraph  # noqa: E402  (tiny-sdxl's op-by-op evaluator of the demo VAE graphs)
import demo_common as dc  # noqa: E402


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# tiny-sdxl's reference: its EulerDiscrete (diffusers' EulerDiscreteScheduler for this config), CLIP Tokenizer
# (BOS, ids, EOS, the folder's pad token, 77) and fixture writer, so both fixtures compute these the same way
R = _load("tiny_sdxl_reference", os.path.join(SDXL, "reference.py"))

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODEL = os.path.join(REPO, "src", "test", "resources", "models", "tiny-sd-inpaint")
DEMO_PARITY = os.path.join(REPO, "src", "test", "resources", "models", "demo-parity")
PARITY = os.path.join(HERE, "parity")

PROMPT = "a red circle on a blue background"
STEPS = 4
# part: width, height, strength, guidance, negative prompt, generator seed
CASES = {
    "inp_s1": dict(width=64, height=64, strength=1.0, guidance=7.5, negative=None, seed=11),
    "inp_s06": dict(width=64, height=64, strength=0.6, guidance=7.5, negative=None, seed=12),
    "inp_96x64": dict(width=96, height=64, strength=1.0, guidance=5.0, negative="green", seed=13),
    "inp_cfg1": dict(width=64, height=64, strength=1.0, guidance=1.0, negative=None, seed=11),
}


# ---- inputs -------------------------------------------------------------------------------------------------------
def input_picture(width, height):
    """The demo's picture language (demo_common.render): a yellow square, 36 px across, centre offset (-4, +2), on
    green; wider pictures are the 64x64 one with plain green columns added on both sides (the background is flat)."""
    pixels = dc.render("square", "yellow", "green", 36, -4, 2)
    assert height == dc.SIZE and width >= dc.SIZE and (width - dc.SIZE) % 2 == 0
    pad = (width - dc.SIZE) // 2
    out = np.empty((height, width, 3), np.uint8)
    out[:] = np.array(dc.COLOURS["green"], np.uint8)
    out[:, pad:pad + dc.SIZE] = pixels
    return out


def mask_picture(width, height):
    """A filled white circle on black covering about 40 % of the picture (radius sqrt(0.4 W H / pi)), centred at
    (0.56 W, 0.44 H) so that it cuts the square; edges anti-aliased by 4x4 supersampling in integer arithmetic
    (grey levels round(k * 255 / 16), k = 0..16), so binarizing at 0.5 (>= 128) decides the edge pixels."""
    radius = (0.4 * width * height / np.pi) ** 0.5
    cy, cx = 0.44 * height, 0.56 * width
    yy, xx = np.meshgrid((np.arange(height * 4) + 0.5) / 4.0, (np.arange(width * 4) + 0.5) / 4.0, indexing="ij")
    inside = ((yy - cy) ** 2 + (xx - cx) ** 2 <= radius ** 2).reshape(height, 4, width, 4).sum(axis=(1, 3))
    return ((inside * 255 + 8) // 16).astype(np.uint8)


# ---- the pipeline -------------------------------------------------------------------------------------------------
class Inpaint:
    def __init__(self):
        self.unet = M.build_unet()
        same_weights(self.unet, os.path.join(MODEL, "unet", "model.onnx"))
        self.tokenizer = R.Tokenizer(os.path.join(MODEL, "tokenizer"))
        self.text_encoder = M.text_encoder_from_onnx(os.path.join(MODEL, "text_encoder", "model.onnx"),
                                                     len(self.tokenizer.bpe.encoder))
        check_text_encoder(self.text_encoder)
        self.index = json.load(open(os.path.join(MODEL, "model_index.json")))
        self.unet_config = json.load(open(os.path.join(MODEL, "unet", "config.json")))
        self.scheduler_config = json.load(open(os.path.join(MODEL, "scheduler", "scheduler_config.json")))
        self.vae_config = json.load(open(os.path.join(MODEL, "vae_decoder", "config.json")))
        self.scaling_factor = self.vae_config["scaling_factor"]
        self.vae_decoder = OnnxGraph(os.path.join(MODEL, "vae_decoder", "model.onnx"))
        self.vae_encoder = OnnxGraph(os.path.join(MODEL, "vae_encoder", "model.onnx"))
        # the demo VAE downsamples by 8 (its config's two-entry block_out_channels would give diffusers 2): measured
        probe = self.vae_encoder(sample=torch.zeros(1, 3, 64, 64))["latent_parameters"]
        self.vae_scale_factor = 64 // probe.shape[-1]
        assert self.vae_scale_factor == 8 and self.unet_config["in_channels"] == 9

    def encode(self, text):
        ids = self.tokenizer(text)
        hidden, _ = self.text_encoder(torch.tensor([ids], dtype=torch.int64))
        return ids, hidden                                              # last_hidden_state (no clip_skip)

    def encode_prompt(self, prompt, negative_prompt, cfg, rec):
        """SD 1.5's encode_prompt: last_hidden_state of the prompt; with CFG the negative prompt (\"\" when None;
        SD 1.5 has no force_zeros_for_empty_prompt) tokenized to the same 77 and encoded the same way."""
        ids, embeds = self.encode(prompt)
        rec.out("input_ids", np.array([ids], np.int64))
        rec.out("prompt_embeds", embeds)
        if not cfg:
            return embeds
        nids, neg = self.encode(negative_prompt if negative_prompt is not None else "")
        rec.out("negative_input_ids", np.array([nids], np.int64))
        rec.out("negative_prompt_embeds", neg)
        return torch.cat([neg, embeds])                                # CFG batch [negative, positive]

    def posterior(self, image, eps, rec, params_name):
        """_encode_vae_image: retrieve_latents(vae.encode(image), generator) = latent_dist.sample(generator) =
        mean + exp(0.5 * clamp(logvar, -30, 20)) * eps (DiagonalGaussianDistribution), times scaling_factor."""
        params = self.vae_encoder(sample=image)["latent_parameters"]
        rec.out(params_name, params)
        mean, logvar = params.chunk(2, dim=1)
        std = torch.exp(0.5 * logvar.clamp(-30.0, 20.0))
        return self.scaling_factor * (mean + std * eps)

    def __call__(self, prompt, negative_prompt, width, height, strength, guidance, seed, pixels, mask_pixels, rec):
        cfg = guidance > 1.0                                           # do_classifier_free_guidance
        embeds = self.encode_prompt(prompt, negative_prompt, cfg, rec)

        # 4. set_timesteps, get_timesteps
        sched = R.EulerDiscrete(self.scheduler_config)
        sched.set_timesteps(STEPS)
        init_timestep = min(int(STEPS * strength), STEPS)
        t_start = max(STEPS - init_timestep, 0)
        timesteps = sched.timesteps[t_start:]                          # order 1
        sched.begin_index = t_start                                    # set_begin_index(t_start * order)
        is_strength_max = strength == 1.0
        rec.out("timesteps", timesteps)
        rec.out("sigmas", sched.sigmas)
        rec.out("begin_index", np.array([t_start], np.int64))
        if is_strength_max:
            rec.out("init_noise_sigma", sched.init_noise_sigma.reshape(1))

        # 5. image_processor.preprocess: uint8 -> float32 / 255 -> 2 x - 1, NCHW (sizes already multiples of 8)
        rec.inp("init_image_uint8", pixels[None])
        init_image = torch.from_numpy(pixels.astype(np.float32) / 255.0).permute(2, 0, 1)[None] * 2.0 - 1.0
        rec.inp("init_image", init_image)

        # 6. prepare_latents (return_image_latents = in_channels == 4: False); the generator's draws in order
        g = torch.Generator().manual_seed(seed)
        h, w = height // self.vae_scale_factor, width // self.vae_scale_factor
        shape = (1, 4, h, w)
        image_latents = None
        if not is_strength_max:
            eps1 = torch.randn(shape, generator=g, dtype=torch.float32)
            rec.inp("posterior_noise", eps1)
            image_latents = self.posterior(init_image, eps1, rec, "latent_parameters")
            rec.out("image_latents", image_latents)
        eps2 = torch.randn(shape, generator=g, dtype=torch.float32)
        rec.inp("noise", eps2)
        if is_strength_max:
            latents = eps2 * sched.init_noise_sigma
        else:
            latents = sched.add_noise(image_latents, eps2, t_start)    # sigma at begin_index
        rec.out("initial_latents", latents)

        # 7. mask_processor.preprocess (grayscale, / 255, binarize: >= 0.5 -> 1, < 0.5 -> 0), masked picture
        rec.inp("mask_image_uint8", mask_pixels[None])
        mask_condition = torch.from_numpy(mask_pixels.astype(np.float32) / 255.0)[None, None]
        mask_condition[mask_condition < 0.5] = 0
        mask_condition[mask_condition >= 0.5] = 1
        rec.out("mask", mask_condition)
        masked_image = init_image * (mask_condition < 0.5)
        rec.out("masked_image", masked_image)

        # prepare_mask_latents: nearest resize to the latent size (F.interpolate's default mode), the masked
        # picture's posterior sample, both duplicated for CFG
        mask = F.interpolate(mask_condition, size=(h, w))
        rec.out("mask_latents", mask)
        eps3 = torch.randn(shape, generator=g, dtype=torch.float32)
        rec.inp("masked_posterior_noise", eps3)
        masked_image_latents = self.posterior(masked_image, eps3, rec, "masked_latent_parameters")
        rec.out("masked_image_latents", masked_image_latents)
        if cfg:
            mask, masked_image_latents = torch.cat([mask] * 2), torch.cat([masked_image_latents] * 2)

        # 10. the loop (no blending of the kept part: that is the 4-channel UNet's branch)
        for k, t in enumerate(timesteps):
            i = t_start + k                                            # the scheduler's step index
            model_input = torch.cat([latents] * 2) if cfg else latents
            model_input = sched.scale_model_input(model_input, i)
            model_input = torch.cat([model_input, mask, masked_image_latents], dim=1)
            out = self.unet(model_input, t, embeds)
            if cfg:
                uncond, text = out.chunk(2)
                noise_pred = uncond + guidance * (text - uncond)
            else:
                noise_pred = out
            latents = sched.step(noise_pred, i, latents)
            if k == 0:
                rec.out("latent_model_input_step1", model_input)
                rec.out("unet_out_step1", out)
                rec.out("noise_pred_step1", noise_pred)
                rec.out("latents_step1", latents)
                rec.first_unet_call = (model_input, t, embeds, out)
        rec.out("latents_final", latents)

        # decode: latents / scaling_factor -> decoder -> [-1, 1]; postprocess (x / 2 + 0.5).clamp(0, 1) * 255, round
        z = latents / self.scaling_factor
        image = self.vae_decoder(latent_sample=z)["sample"]
        rec.out("latent_sample", z)
        rec.out("image", image)
        out_pixels = np.round(((image / 2 + 0.5).clamp(0, 1) * 255).permute(0, 2, 3, 1).numpy()).astype(np.uint8)
        rec.out("image_uint8", out_pixels)
        return dict(timesteps=timesteps.tolist(), begin_index=t_start, init_timestep=init_timestep,
                    pixels=out_pixels, mask_fraction=float(mask_condition.mean()),
                    mask_latent_fraction=float(mask[:1].mean()))


def same_weights(module, path):
    """Every parameter of the module is in the exported graph with exactly its values: by name, or, where
    torch.onnx renamed it (Linear weights stored transposed for MatMul, GroupNorm's affine as [C, 1, 1] Mul/Add
    constants), as an anonymous initializer holding the same numbers; each initializer used once."""
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    anonymous = {k: v for k, v in inits.items() if k.startswith("onnx::")}
    by_name = by_value = 0
    for name, p in module.state_dict().items():
        p = p.numpy()
        if name in inits:
            assert np.array_equal(inits[name], p), (path, name)
            by_name += 1
            continue
        hit = None
        for key, arr in anonymous.items():
            if arr.size != p.size:
                continue
            if np.array_equal(arr.reshape(p.shape), p) or (p.ndim == 2 and arr.ndim == 2 and np.array_equal(arr.T, p)):
                hit = key
                break
        assert hit is not None, (path, name, "not in the graph")
        del anonymous[hit]
        by_value += 1
    return by_name, by_value


def check_text_encoder(te):
    """The module rebuilt from the demo's graph gives what the demo's own PyTorch text encoder gave (demo-parity)."""
    ids = np.fromfile(os.path.join(DEMO_PARITY, "text_encoder.input_ids.bin"), "<i8").reshape(2, 77)
    want = np.fromfile(os.path.join(DEMO_PARITY, "text_encoder.last_hidden_state.bin"), "<f4").reshape(2, 77, 64)
    got = te(torch.from_numpy(ids))[0].numpy()
    err = float(np.abs(got - want).max())
    assert err < 1e-5, err
    return err


class Writer(R.Writer):
    HEAD = ("# part in|out name dtype shape file (raw little-endian, C order; shape '-' = rank 0); written by "
            "tools/tiny-sd-inpaint/reference.py\n# pipeline parts: inp_s1, inp_s06, inp_96x64, inp_cfg1 (see "
            "run.json); graph parts: text_encoder, unet, vae_encoder, vae_decoder (inputs in each graph's own dtype "
            "and shape)\n")


def main():
    torch.set_num_threads(1)
    os.makedirs(PARITY, exist_ok=True)
    for f in os.listdir(PARITY):
        if f.endswith(".bin") or f.endswith(".png") or f in ("manifest.txt", "run.json"):
            os.remove(os.path.join(PARITY, f))
    with torch.no_grad():
        pipe = Inpaint()
        te_err = check_text_encoder(pipe.text_encoder)
    by_name, by_value = same_weights(pipe.unet, os.path.join(MODEL, "unet", "model.onnx"))

    # anchors from diffusers' scheduler (SD betas, leading spacing, steps_offset 1, 4 steps), checked first
    sched = R.EulerDiscrete(pipe.scheduler_config)
    sched.set_timesteps(STEPS)
    assert sched.timesteps.tolist() == [751.0, 501.0, 251.0, 1.0], sched.timesteps
    assert np.allclose(sched.sigmas.tolist(), [4.1167, 1.6237, 0.6984, 0.0413, 0.0], atol=1e-4), sched.sigmas
    assert abs(float(sched.init_noise_sigma) - 4.2364) < 1e-4

    w = Writer(PARITY)
    run = {"pipeline": "StableDiffusionInpaintPipeline (unet in_channels 9)", "prompt": PROMPT,
           "num_inference_steps": STEPS, "scheduler": pipe.scheduler_config,
           "timesteps": sched.timesteps.tolist(), "sigmas": sched.sigmas.tolist(),
           "init_noise_sigma": float(sched.init_noise_sigma),
           "vae_scaling_factor": pipe.scaling_factor, "vae_scale_factor": pipe.vae_scale_factor,
           "unet_timestep_input": {"dtype": "float32", "shape": [],
                                   "value": "the scheduler's timestep, one value for the whole batch"},
           "preprocessing": {
               "init_image": "uint8 RGB -> float32 x / 255 -> 2 x - 1 (bitwise equal to x / 127.5 - 1 for all 256 "
                             "values), NCHW",
               "mask": "grayscale uint8 -> x / 255 -> 1 where >= 0.5 (uint8 >= 128) else 0, [1, 1, H, W] (mask_condition)",
               "masked_image": "init_image * (mask < 0.5): the repainted part set to 0 (mid grey), the kept part as is",
               "mask_latents": "F.interpolate(mask, size=(H/8, W/8)) in its default mode 'nearest': latent (i, j) "
                               "takes pixel (8 i, 8 j), the top-left of its 8x8 block",
               "latent_model_input": "cat([scale_model_input(cat([latents] * 2 if CFG)), mask_latents (x2 if CFG), "
                                     "masked_image_latents (x2 if CFG)], dim=1): channels 0-3 latents, 4 mask, 5-8 "
                                     "masked-image latents",
           },
           "noise": {
               "generator": "each case: torch.Generator().manual_seed(seed), draws in diffusers' order "
                            "(randn_tensor on CPU), each written as an input",
               "posterior_noise": "eps1, only when strength < 1: prepare_latents' vae.encode(init_image)."
                                  "latent_dist.sample(generator) (drawn first)",
               "noise": "eps2, prepare_latents' randn_tensor: latents = noise * init_noise_sigma (strength 1) or "
                        "add_noise(image_latents, noise, timesteps[:1]) = image_latents + sigmas[begin_index] * noise",
               "masked_posterior_noise": "eps3, prepare_mask_latents' vae.encode(masked_image).latent_dist."
                                         "sample(generator) (drawn last)",
           },
           "decode": "vae_decoder(latents / scaling_factor) -> image in [-1, 1]; image_uint8 = round(clamp(x / 2 + "
                     "0.5, 0, 1) * 255) NHWC (numpy's half-to-even); recorded before any composite of the original "
                     "pixels outside the mask (diffusers does none without padding_mask_crop)",
           "checks": {"unet_parameters_in_graph": {"by_name": by_name, "by_value": by_value},
                      "text_encoder_vs_demo_parity_max_abs": te_err},
           "cases": {}}

    recs = {}
    with torch.no_grad():
        for part, c in CASES.items():
            rec = recs[part] = R.Recorder(w, part)
            pixels = input_picture(c["width"], c["height"])
            mask_pixels = mask_picture(c["width"], c["height"])
            Image.fromarray(pixels).save(os.path.join(PARITY, f"{part}.input.png"))
            Image.fromarray(mask_pixels, mode="L").save(os.path.join(PARITY, f"{part}.mask.png"))
            res = pipe(PROMPT, c["negative"], c["width"], c["height"], c["strength"], c["guidance"], c["seed"],
                       pixels, mask_pixels, rec)
            Image.fromarray(res["pixels"][0]).save(os.path.join(PARITY, f"{part}.image.png"))
            cfg = c["guidance"] > 1.0
            draws = (["posterior_noise"] if c["strength"] < 1.0 else []) + ["noise", "masked_posterior_noise"]
            run["cases"][part] = {
                "prompt": PROMPT, "negative_prompt": c["negative"], "width": c["width"], "height": c["height"],
                "num_inference_steps": STEPS, "strength": c["strength"], "guidance_scale": c["guidance"],
                "classifier_free_guidance": cfg, "unet_batch": 2 if cfg else 1,
                "init_timestep": res["init_timestep"], "begin_index": res["begin_index"],
                "timesteps": res["timesteps"], "seed": c["seed"],
                "noise_files": {d: f"{part}.{d}.bin" for d in draws},
                "input_image": f"{part}.input.png ({part}.init_image_uint8.bin, NHWC uint8)",
                "mask_image": f"{part}.mask.png ({part}.mask_image_uint8.bin, [1, H, W] uint8, anti-aliased)",
                "output_image": f"{part}.image.png ({part}.image_uint8.bin)",
                "mask_fraction": round(res["mask_fraction"], 6),
                "mask_latent_fraction": round(res["mask_latent_fraction"], 6),
            }
        run["cases"]["inp_s1"]["note"] = "strength 1: pure noise times init_noise_sigma, all 4 steps, no image encode"
        run["cases"]["inp_s06"]["note"] = (
            "strength 0.6: init_timestep = min(int(4 * 0.6), 4) = 2, t_start = 2: timesteps 251, 1, begin_index 2; "
            "the picture is encoded (posterior_noise) and noised with sigmas[2]; no init_noise_sigma")
        run["cases"]["inp_96x64"]["note"] = ("width 96, height 64 (latents 8 high, 12 wide); negative prompt "
                                             "'green' encoded as the CFG batch's first row")
        run["cases"]["inp_cfg1"]["note"] = ("guidance 1.0: no CFG batch (UNet batch 1; mask and masked-image latents "
                                            "not duplicated); the same seed and draws as inp_s1")

        # graph-level parts, inputs in each graph's declared dtype and rank
        ids = torch.tensor([pipe.tokenizer(PROMPT), pipe.tokenizer(""), pipe.tokenizer("green")], dtype=torch.int64)
        last, pooled = pipe.text_encoder(ids)
        w.add("text_encoder", "in", "input_ids", ids)
        w.add("text_encoder", "out", "last_hidden_state", last)
        w.add("text_encoder", "out", "pooler_output", pooled)
        sample, t, embeds, out = recs["inp_s1"].first_unet_call
        w.add("unet", "in", "sample", sample)
        w.add("unet", "in", "timestep", np.array(float(t)), "float32")
        w.add("unet", "in", "encoder_hidden_states", embeds)
        w.add("unet", "out", "out_sample", out)

        def tensor(part, name, shape):
            return torch.from_numpy(np.fromfile(os.path.join(PARITY, f"{part}.{name}.bin"), "<f4").reshape(shape))
        img = tensor("inp_96x64", "masked_image", (1, 3, 64, 96))
        w.add("vae_encoder", "in", "sample", img)
        w.add("vae_encoder", "out", "latent_parameters", pipe.vae_encoder(sample=img)["latent_parameters"])
        z = tensor("inp_96x64", "latent_sample", (1, 4, 8, 12))
        w.add("vae_decoder", "in", "latent_sample", z)
        w.add("vae_decoder", "out", "sample", pipe.vae_decoder(latent_sample=z)["sample"])

    w.manifest()
    with open(os.path.join(PARITY, "run.json"), "w") as f:
        json.dump(run, f, indent=2)
        f.write("\n")

    size = sum(os.path.getsize(os.path.join(PARITY, f)) for f in os.listdir(PARITY))
    print(f"unet weights in the graph: {by_name} by name, {by_value} by value; text encoder vs demo-parity "
          f"{te_err:.1e}; timesteps {run['timesteps']}, sigmas {[round(s, 4) for s in run['sigmas']]}, "
          f"init_noise_sigma {run['init_noise_sigma']:.4f}")
    print(f"{len(w.lines)} tensors in {PARITY} ({size} bytes)")
    for part, c in run["cases"].items():
        out = np.fromfile(os.path.join(PARITY, f"{part}.unet_out_step1.bin"), "<f4")
        lat = np.fromfile(os.path.join(PARITY, f"{part}.latents_final.bin"), "<f4")
        img = np.fromfile(os.path.join(PARITY, f"{part}.image_uint8.bin"), np.uint8)
        print(f"  {part}: timesteps {c['timesteps']}, mask {c['mask_fraction']:.3f} (latent "
              f"{c['mask_latent_fraction']:.3f}), unet out std {out.std():.3f}, final latents std {lat.std():.3f}, "
              f"picture mean {img.mean():.1f}")


if __name__ == "__main__":
    main()
