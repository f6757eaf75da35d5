"""PyTorch reference of diffusers' StableDiffusionXLPipeline / StableDiffusionXLImg2ImgPipeline with the
EulerDiscreteScheduler, run on the tiny random-weight fixture; writes the parity fixtures into tools/tiny-sdxl/parity/.

    /usr/bin/python3 tools/tiny-sdxl/reference.py        (after export_onnx.py)

Written from diffusers' formulas (pipeline_stable_diffusion_xl.py: encode_prompt, _get_add_time_ids, prepare_latents,
the denoising loop; pipeline_stable_diffusion_xl_img2img.py: get_timesteps, prepare_latents; scheduling_euler_discrete.py:
set_timesteps, init_noise_sigma, scale_model_input, step, add_noise). The text encoders and the UNet run as the
PyTorch modules of sdxl_modules.py (the same weights as the exported graphs, checked below); the VAE is the SD demo's,
whose graphs are evaluated op by op in PyTorch (onnx_torch.py). Every random draw (initial noise, the VAE posterior
sample and the img2img noise) is written to the fixtures as an input, so a Java run can inject it instead of relying
on torch's generator.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "demo-model"))
import sdxl_modules as M  # noqa: E402
from onnx_torch import OnnxGraph  # noqa: E402
from demo_common import ClipBpeTokenizer  # noqa: E402  (the demo's CLIP BPE: byte-level, CLIP's pre-tokenizer)

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODEL = os.path.join(REPO, "src", "test", "resources", "models", "tiny-sdxl")
PARITY = os.path.join(HERE, "parity")

PROMPT = "a red circle on a blue background"
HEIGHT = WIDTH = 64
STEPS = 4
STRENGTH = 0.5
NOISE_SEEDS = {"t2i": 1, "i2i_posterior": 2, "i2i_noise": 3, "unet_96x64": 4}


# ---- tokenizers ---------------------------------------------------------------------------------------------------
class Tokenizer:
    """CLIPTokenizer(prompt, padding="max_length", max_length=77, truncation=True): BOS, the BPE ids (at most 75),
    EOS, then the folder's pad token (tokenizer: <|endoftext|>, tokenizer_2: "!" = id 0)."""

    def __init__(self, folder):
        self.bpe = ClipBpeTokenizer(folder)
        cfg = json.load(open(os.path.join(folder, "tokenizer_config.json")))
        self.max_length = cfg["model_max_length"]
        self.pad = self.bpe.encoder[cfg["pad_token"]]

    def __call__(self, text):
        seq = [self.bpe.bos] + self.bpe.ids(text)[: self.max_length - 2] + [self.bpe.eos]
        return seq + [self.pad] * (self.max_length - len(seq))


# ---- scheduler ----------------------------------------------------------------------------------------------------
class EulerDiscrete:
    """EulerDiscreteScheduler for the config in scheduler_config.json (epsilon, linear interpolation, no Karras
    sigmas, final sigma zero, s_churn 0); float32 as diffusers computes it."""

    def __init__(self, cfg):
        assert cfg["beta_schedule"] == "scaled_linear" and cfg["prediction_type"] == "epsilon"
        assert cfg["interpolation_type"] == "linear" and not cfg["use_karras_sigmas"]
        assert cfg["timestep_spacing"] == "leading"
        self.cfg = cfg
        t = cfg["num_train_timesteps"]
        betas = torch.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, t, dtype=torch.float32) ** 2
        self.alphas_cumprod = torch.cumprod(1.0 - betas, dim=0)
        self.begin_index = 0

    def set_timesteps(self, n):
        step_ratio = self.cfg["num_train_timesteps"] // n                      # "leading"
        timesteps = (np.arange(0, n) * step_ratio).round()[::-1].copy().astype(np.float32)
        timesteps += self.cfg["steps_offset"]
        sigmas = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
        sigmas = np.interp(timesteps, np.arange(0, len(sigmas)), sigmas)
        sigmas = np.concatenate([sigmas, [0.0]]).astype(np.float32)           # final_sigmas_type "zero"
        self.sigmas = torch.from_numpy(sigmas)
        self.timesteps = torch.from_numpy(timesteps.astype(np.float32))

    @property
    def init_noise_sigma(self):
        return (self.sigmas.max() ** 2 + 1) ** 0.5                            # "leading": sqrt(max sigma^2 + 1)

    def scale_model_input(self, sample, i):
        return sample / ((self.sigmas[i] ** 2 + 1) ** 0.5)

    def step(self, model_output, i, sample):
        sigma = self.sigmas[i]
        sigma_hat = sigma * (0.0 + 1)                                         # gamma = 0 (s_churn = 0)
        pred_original_sample = sample - sigma_hat * model_output
        derivative = (sample - pred_original_sample) / sigma_hat
        dt = self.sigmas[i + 1] - sigma_hat
        return sample + derivative * dt

    def add_noise(self, original, noise, i):
        return original + noise * self.sigmas[i]


# ---- the pipeline -------------------------------------------------------------------------------------------------
class Sdxl:
    def __init__(self):
        self.text_encoder, self.text_encoder_2, self.unet = M.build_models()
        self.tokenizer = Tokenizer(os.path.join(MODEL, "tokenizer"))
        self.tokenizer_2 = Tokenizer(os.path.join(MODEL, "tokenizer_2"))
        self.index = json.load(open(os.path.join(MODEL, "model_index.json")))
        self.scheduler_config = json.load(open(os.path.join(MODEL, "scheduler", "scheduler_config.json")))
        self.vae_config = json.load(open(os.path.join(MODEL, "vae_decoder", "config.json")))
        self.vae_scale_factor = 2 ** (len(self.vae_config["block_out_channels"]) - 1)
        self.vae_decoder = OnnxGraph(os.path.join(MODEL, "vae_decoder", "model.onnx"))
        self.vae_encoder = OnnxGraph(os.path.join(MODEL, "vae_encoder", "model.onnx"))
        for module, part in ((self.text_encoder, "text_encoder"), (self.text_encoder_2, "text_encoder_2"),
                             (self.unet, "unet")):
            same_weights(module, os.path.join(MODEL, part, "model.onnx"))

    def encode_one(self, tokenizer, encoder, text, dtype):
        ids = tokenizer(text)
        out = encoder(torch.tensor([ids], dtype=dtype))
        return ids, out

    def encode_prompt(self, prompt, negative_prompt, cfg, rec):
        """encode_prompt: hidden_states[-2] of each encoder, concatenated on the last axis; pooled = text_embeds of
        text_encoder_2 (its output [0] is the 2-D one); the negative side zeros when negative_prompt is None and
        force_zeros_for_empty_prompt, else the negative prompt encoded the same way."""
        ids1, out1 = self.encode_one(self.tokenizer, self.text_encoder, prompt, torch.int32)
        ids2, out2 = self.encode_one(self.tokenizer_2, self.text_encoder_2, prompt, torch.int64)
        rec.out("input_ids", np.array([ids1], np.int64))
        rec.out("input_ids_2", np.array([ids2], np.int64))
        hidden1, hidden2 = out1[2:], out2[2:]                  # hidden_states.0 ... hidden_states.N
        prompt_embeds = torch.cat([hidden1[-2], hidden2[-2]], dim=-1)
        pooled = out2[0]
        neg = neg_pooled = None
        if cfg:
            if negative_prompt is None and self.index["force_zeros_for_empty_prompt"]:
                neg, neg_pooled = torch.zeros_like(prompt_embeds), torch.zeros_like(pooled)
            else:
                nids1, nout1 = self.encode_one(self.tokenizer, self.text_encoder, negative_prompt or "", torch.int32)
                nids2, nout2 = self.encode_one(self.tokenizer_2, self.text_encoder_2, negative_prompt or "",
                                               torch.int64)
                rec.out("negative_input_ids", np.array([nids1], np.int64))
                rec.out("negative_input_ids_2", np.array([nids2], np.int64))
                neg = torch.cat([nout1[2:][-2], nout2[2:][-2]], dim=-1)
                neg_pooled = nout2[0]
        rec.out("prompt_embeds", prompt_embeds)
        rec.out("pooled_prompt_embeds", pooled)
        if cfg:
            rec.out("negative_prompt_embeds", neg)
            rec.out("negative_pooled_prompt_embeds", neg_pooled)
        return prompt_embeds, neg, pooled, neg_pooled

    def add_time_ids(self, height, width):
        # original_size + crops_coords_top_left + target_size, original = target = (height, width), crop (0, 0)
        return torch.tensor([[height, width, 0, 0, height, width]], dtype=torch.float32)

    def denoise(self, latents, timesteps, begin, sched, embeds, text_embeds, time_ids, guidance, cfg, rec):
        for k, t in enumerate(timesteps):
            i = begin + k
            model_input = torch.cat([latents] * 2) if cfg else latents
            model_input = sched.scale_model_input(model_input, i)
            out = self.unet(model_input, t, embeds, text_embeds, time_ids)
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
                rec.first_unet_call = (model_input, t, embeds, text_embeds, time_ids, out)
        rec.out("latents_final", latents)
        return latents

    def decode(self, latents, rec):
        z = latents / self.vae_config["scaling_factor"]                # no latents_mean/std in this VAE config
        image = self.vae_decoder(latent_sample=z)["sample"]
        rec.out("latent_sample", z)
        rec.out("image", image)
        pixels = np.round(((image / 2 + 0.5).clamp(0, 1) * 255).permute(0, 2, 3, 1).numpy()).astype(np.uint8)
        rec.out("image_uint8", pixels)
        return image, pixels

    def prompt_side(self, prompt, negative_prompt, guidance, rec):
        cfg = guidance > 1.0                                  # do_classifier_free_guidance (no time_cond_proj_dim)
        embeds, neg, pooled, neg_pooled = self.encode_prompt(prompt, negative_prompt, cfg, rec)
        time_ids = self.add_time_ids(HEIGHT, WIDTH)           # negative_add_time_ids = add_time_ids
        if cfg:
            embeds, pooled, time_ids = torch.cat([neg, embeds]), torch.cat([neg_pooled, pooled]), \
                torch.cat([time_ids, time_ids])
        rec.out("add_time_ids", time_ids)
        return cfg, embeds, pooled, time_ids

    def text_to_image(self, prompt, negative_prompt, guidance, noise, rec):
        cfg, embeds, pooled, time_ids = self.prompt_side(prompt, negative_prompt, guidance, rec)
        sched = EulerDiscrete(self.scheduler_config)
        sched.set_timesteps(STEPS)
        rec.out("timesteps", sched.timesteps)
        rec.out("sigmas", sched.sigmas)
        rec.out("init_noise_sigma", sched.init_noise_sigma.reshape(1))
        rec.inp("initial_noise", noise)
        latents = noise * sched.init_noise_sigma
        rec.out("initial_latents", latents)
        latents = self.denoise(latents, sched.timesteps, 0, sched, embeds, pooled, time_ids, guidance, cfg, rec)
        return latents, self.decode(latents, rec)

    def image_to_image(self, prompt, negative_prompt, guidance, pixels, posterior_noise, noise, rec):
        cfg, embeds, pooled, time_ids = self.prompt_side(prompt, negative_prompt, guidance, rec)
        sched = EulerDiscrete(self.scheduler_config)
        sched.set_timesteps(STEPS)
        init_timestep = min(int(STEPS * STRENGTH), STEPS)    # get_timesteps
        t_start = max(STEPS - init_timestep, 0)
        timesteps = sched.timesteps[t_start:]
        rec.out("timesteps", timesteps)
        rec.out("sigmas", sched.sigmas)
        rec.out("begin_index", np.array([t_start], np.int64))
        # VaeImageProcessor.preprocess: [0, 255] -> [0, 1] -> [-1, 1], NCHW
        image = torch.from_numpy(pixels.astype(np.float32) / 255.0).permute(2, 0, 1)[None] * 2.0 - 1.0
        rec.inp("init_image", image)
        params = self.vae_encoder(sample=image)["latent_parameters"]
        rec.out("latent_parameters", params)
        mean, logvar = params.chunk(2, dim=1)                   # DiagonalGaussianDistribution
        logvar = logvar.clamp(-30.0, 20.0)
        std = torch.exp(0.5 * logvar)
        rec.inp("posterior_noise", posterior_noise)
        image_latents = self.vae_config["scaling_factor"] * (mean + std * posterior_noise)
        rec.out("image_latents", image_latents)
        rec.inp("noise", noise)
        latents = sched.add_noise(image_latents, noise, t_start)  # sigma at begin_index (set_begin_index(t_start))
        rec.out("initial_latents", latents)
        latents = self.denoise(latents, timesteps, t_start, sched, embeds, pooled, time_ids, guidance, cfg, rec)
        return latents, self.decode(latents, rec)


def same_weights(module, path):
    """The exported graph's named initializers are exactly the module's parameters (same seed, same build order)."""
    state = module.state_dict()
    found = 0
    for init in onnx.load(path).graph.initializer:
        if init.name in state:
            assert np.array_equal(numpy_helper.to_array(init), state[init.name].numpy()), (path, init.name)
            found += 1
    assert found > 0.5 * len(state), (path, found, len(state))


# ---- fixtures -----------------------------------------------------------------------------------------------------
class Recorder:
    """Collects the tensors of one manifest part ("in" = fed to the pipeline or graph, "out" = what it computes)."""

    def __init__(self, writer, part):
        self.writer, self.part = writer, part
        self.first_unet_call = None

    def inp(self, name, value, dtype=None):
        self.writer.add(self.part, "in", name, value, dtype)

    def out(self, name, value, dtype=None):
        self.writer.add(self.part, "out", name, value, dtype)


class Writer:
    DTYPES = {"float32": np.float32, "int64": np.int64, "int32": np.int32, "uint8": np.uint8}

    def __init__(self, folder):
        self.folder = folder
        self.lines = []

    def add(self, part, io, name, value, dtype=None):
        arr = value.detach().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        if dtype is None:
            dtype = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float32", np.dtype(np.int64): "int64",
                     np.dtype(np.int32): "int32", np.dtype(np.uint8): "uint8"}[arr.dtype]
        arr = arr.astype(np.dtype(self.DTYPES[dtype]).newbyteorder("<"), order="C")   # keeps rank 0
        file = f"{part}.{name}.bin"
        arr.tofile(os.path.join(self.folder, file))
        shape = ",".join(str(d) for d in arr.shape) if arr.ndim else "-"
        self.lines.append(f"{part} {io} {name} {dtype} {shape} {file}")

    HEAD = ("# part in|out name dtype shape file (raw little-endian, C order; shape '-' = rank 0); written by "
            "tools/tiny-sdxl/reference.py\n# pipeline parts: t2i_cfg5, t2i_cfg1, t2i_cfg5_negempty, i2i_s05 "
            "(see run.json); graph parts: text_encoder, text_encoder_2, unet, unet_96x64, vae_decoder, vae_encoder "
            "(inputs in each graph's own dtype and shape)\n")

    def manifest(self):
        with open(os.path.join(self.folder, "manifest.txt"), "w") as f:
            f.write(self.HEAD + "\n".join(self.lines) + "\n")


def noise(seed, shape):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float32)


def input_picture():
    """A red circle (radius 20) on a blue background, 64x64 RGB, edges anti-aliased by 4x4 supersampling in
    integer arithmetic (the demo's colours)."""
    red, blue = np.array([220, 40, 40]), np.array([40, 70, 220])
    sub = (np.arange(HEIGHT * 4) + 0.5) / 4.0
    yy, xx = np.meshgrid(sub, sub, indexing="ij")
    inside = ((yy - 32.0) ** 2 + (xx - 30.0) ** 2 <= 20.0 ** 2).reshape(HEIGHT, 4, WIDTH, 4).sum(axis=(1, 3))
    pixels = (red[None, None] * inside[..., None] + blue[None, None] * (16 - inside[..., None]) + 8) // 16
    return pixels.astype(np.uint8)


def graph_inputs(path):
    return {i.name: i.type.tensor_type for i in onnx.load(path).graph.input}


def main():
    torch.set_num_threads(1)
    os.makedirs(PARITY, exist_ok=True)
    for f in os.listdir(PARITY):
        if f.endswith(".bin") or f.endswith(".png") or f in ("manifest.txt", "run.json"):
            os.remove(os.path.join(PARITY, f))
    pipe = Sdxl()
    w = Writer(PARITY)
    run = {"prompt": PROMPT, "height": HEIGHT, "width": WIDTH, "num_inference_steps": STEPS,
           "scheduler": pipe.scheduler_config, "vae_scaling_factor": pipe.vae_config["scaling_factor"],
           "vae_scale_factor": pipe.vae_scale_factor, "force_zeros_for_empty_prompt": True,
           "noise": {k: f"torch.randn(shape, generator=torch.Generator().manual_seed({v})), written as an input"
                     for k, v in NOISE_SEEDS.items()},
           "cases": {}}
    shape = (1, 4, HEIGHT // pipe.vae_scale_factor, WIDTH // pipe.vae_scale_factor)
    t2i_noise = noise(NOISE_SEEDS["t2i"], shape)

    with torch.no_grad():
        cases = [("t2i_cfg5", None, 5.0), ("t2i_cfg1", None, 1.0), ("t2i_cfg5_negempty", "", 5.0)]
        recs = {}
        for part, negative, guidance in cases:
            rec = recs[part] = Recorder(w, part)
            _, (_, pixels) = pipe.text_to_image(PROMPT, negative, guidance, t2i_noise, rec)
            Image.fromarray(pixels[0]).save(os.path.join(PARITY, f"{part}.image.png"))
            run["cases"][part] = {"kind": "text-to-image", "negative_prompt": negative, "guidance_scale": guidance,
                                  "classifier_free_guidance": guidance > 1.0}
        run["cases"]["t2i_cfg5"]["note"] = ("negative_prompt not given (None): with force_zeros_for_empty_prompt the "
                                            "negative prompt_embeds and pooled embeds are zeros")
        run["cases"]["t2i_cfg5_negempty"]["note"] = (
            "negative_prompt=\"\" passed explicitly: diffusers zeroes only when negative_prompt is None, so \"\" is "
            "tokenized and encoded like any prompt (same initial noise as t2i_cfg5)")
        run["cases"]["t2i_cfg1"]["note"] = "guidance 1.0: no classifier-free-guidance batch (batch 1 through the UNet)"

        pixels_in = input_picture()
        Image.fromarray(pixels_in).save(os.path.join(PARITY, "i2i_s05.input.png"))
        rec = recs["i2i_s05"] = Recorder(w, "i2i_s05")
        rec.inp("init_image_uint8", pixels_in[None])
        _, (_, pixels) = pipe.image_to_image(PROMPT, None, 5.0, pixels_in, noise(NOISE_SEEDS["i2i_posterior"], shape),
                                             noise(NOISE_SEEDS["i2i_noise"], shape), rec)
        Image.fromarray(pixels[0]).save(os.path.join(PARITY, "i2i_s05.image.png"))
        run["cases"]["i2i_s05"] = {
            "kind": "image-to-image", "negative_prompt": None, "guidance_scale": 5.0, "strength": STRENGTH,
            "input_image": "i2i_s05.input.png (also i2i_s05.init_image_uint8.bin, NHWC uint8)",
            "note": "init_timestep = min(int(4 * 0.5), 4) = 2, t_start = 2: timesteps[2:], begin_index 2; image latents "
                    "= scaling_factor * (mean + exp(0.5 * clamp(logvar, -30, 20)) * posterior_noise); latents = image "
                    "latents + sigmas[2] * noise (no init_noise_sigma); add_time_ids [64, 64, 0, 0, 64, 64] (base "
                    "pipeline: requires_aesthetics_score false)"}

        # graph-level parts, inputs in each graph's declared dtype and rank
        ids_type = {p: graph_inputs(os.path.join(MODEL, p, "model.onnx"))["input_ids"].elem_type
                    for p in ("text_encoder", "text_encoder_2")}
        onnx_int = {onnx.TensorProto.INT32: ("int32", torch.int32), onnx.TensorProto.INT64: ("int64", torch.int64)}
        for part, tok, enc, names in (
                ("text_encoder", pipe.tokenizer, pipe.text_encoder, ["last_hidden_state", "pooler_output"]),
                ("text_encoder_2", pipe.tokenizer_2, pipe.text_encoder_2, ["text_embeds", "last_hidden_state"])):
            dname, dt = onnx_int[ids_type[part]]
            ids = torch.tensor([tok(PROMPT), tok("")], dtype=dt)
            outs = enc(ids)
            w.add(part, "in", "input_ids", ids, dname)
            names = names + [f"hidden_states.{i}" for i in range(len(outs) - 2)]
            for n, v in zip(names, outs):
                w.add(part, "out", n, v)

        ts_type = graph_inputs(os.path.join(MODEL, "unet", "model.onnx"))["timestep"]
        ts_rank = len(ts_type.shape.dim)
        ts_dtype = {onnx.TensorProto.INT64: "int64", onnx.TensorProto.INT32: "int32",
                    onnx.TensorProto.FLOAT: "float32"}[ts_type.elem_type]

        def unet_part(part, sample, t, embeds, text_embeds, time_ids, out):
            w.add(part, "in", "sample", sample)
            tv = np.array([float(t)]) if ts_rank == 1 else np.array(float(t))
            w.add(part, "in", "timestep", tv, ts_dtype)
            w.add(part, "in", "encoder_hidden_states", embeds)
            w.add(part, "in", "text_embeds", text_embeds)
            w.add(part, "in", "time_ids", time_ids)
            w.add(part, "out", "out_sample", out)

        unet_part("unet", *recs["t2i_cfg5"].first_unet_call)
        # a non-square size (96 high, 64 wide: latents 12 x 8), batch 1, the second timestep
        sample = noise(NOISE_SEEDS["unet_96x64"], (1, 4, 12, 8))
        _, _, embeds1, pooled1, _, _ = recs["t2i_cfg1"].first_unet_call
        t2 = torch.tensor(501.0)
        time_ids = pipe.add_time_ids(96, 64)
        unet_part("unet_96x64", sample, t2, embeds1, pooled1, time_ids, pipe.unet(sample, t2, embeds1, pooled1, time_ids))

        z = torch.from_numpy(np.fromfile(os.path.join(PARITY, "t2i_cfg5.latent_sample.bin"), "<f4").reshape(shape))
        w.add("vae_decoder", "in", "latent_sample", z)
        w.add("vae_decoder", "out", "sample", pipe.vae_decoder(latent_sample=z)["sample"])
        img = torch.from_numpy(np.fromfile(os.path.join(PARITY, "i2i_s05.init_image.bin"), "<f4").reshape(1, 3, 64, 64))
        w.add("vae_encoder", "in", "sample", img)
        w.add("vae_encoder", "out", "latent_parameters", pipe.vae_encoder(sample=img)["latent_parameters"])

    w.manifest()
    # the schedule, readable
    sched = EulerDiscrete(pipe.scheduler_config)
    sched.set_timesteps(STEPS)
    run["timesteps"] = sched.timesteps.tolist()
    run["sigmas"] = sched.sigmas.tolist()
    run["init_noise_sigma"] = float(sched.init_noise_sigma)
    for part in run["cases"]:
        kind = run["cases"][part]["kind"]
        run["cases"][part]["timesteps"] = run["timesteps"][2:] if kind == "image-to-image" else run["timesteps"]
    run["cases"]["i2i_s05"]["begin_index"] = 2
    run["unet_timestep_input"] = {"dtype": ts_dtype, "shape": [1] if ts_rank == 1 else [],
                                  "value": "the scheduler's timestep (integral here), one value for the whole batch"}
    with open(os.path.join(PARITY, "run.json"), "w") as f:
        json.dump(run, f, indent=2)
        f.write("\n")

    # anchors from diffusers' scheduler (SD/SDXL betas, leading spacing, steps_offset 1, 4 steps)
    assert run["timesteps"] == [751.0, 501.0, 251.0, 1.0], run["timesteps"]
    assert np.allclose(run["sigmas"], [4.1167, 1.6237, 0.6984, 0.0413, 0.0], atol=1e-4), run["sigmas"]
    assert abs(run["init_noise_sigma"] - 4.2364) < 1e-4
    size = sum(os.path.getsize(os.path.join(PARITY, f)) for f in os.listdir(PARITY))
    print(f"{len(w.lines)} tensors in {PARITY} ({size} bytes); timesteps {run['timesteps']}, sigmas "
          f"{[round(s, 4) for s in run['sigmas']]}, init_noise_sigma {run['init_noise_sigma']:.4f}")
    for part in run["cases"]:
        lat = np.fromfile(os.path.join(PARITY, f"{part}.latents_final.bin"), "<f4")
        img = np.fromfile(os.path.join(PARITY, f"{part}.image_uint8.bin"), np.uint8)
        print(f"  {part}: final latents std {lat.std():.3f}, picture mean {img.mean():.1f}")


if __name__ == "__main__":
    main()
