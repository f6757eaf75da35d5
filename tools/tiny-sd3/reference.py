"""PyTorch reference of diffusers' StableDiffusion3Pipeline / StableDiffusion3Img2ImgPipeline with the
FlowMatchEulerDiscreteScheduler, run on the tiny random-weight fixture; writes the parity fixtures into
tools/tiny-sd3/parity/.

    /usr/bin/python3 tools/tiny-sd3/reference.py        (after export_onnx.py)

Written from diffusers' formulas (pipeline_stable_diffusion_3.py: _get_clip_prompt_embeds, _get_t5_prompt_embeds,
encode_prompt, prepare_latents, the denoising loop; pipeline_stable_diffusion_3_img2img.py: get_timesteps,
prepare_latents; scheduling_flow_match_euler_discrete.py: __init__, set_timesteps, scale_noise, step), float32 as
diffusers. Every network runs as its PyTorch module (sd3_modules.py, tools/tiny-flow-common's t5_encoder.py and
vae16.py), with the weights of the exported graphs (checked first); tools/tiny-sd3/OrtCheck.java then holds the graphs
against these numbers in ONNX Runtime. Every random draw is written to the fixtures as an input.
"""
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tiny-flow-common"))
import sd3_modules as S  # noqa: E402
import sd3_shared as shared  # noqa: E402

R = shared.sdxl_module("reference")            # tiny-sdxl's reference: CLIP tokenizer, manifest writer, helpers

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MODEL = os.path.join(REPO, "src", "test", "resources", "models", "tiny-sd3")
PARITY = os.path.join(HERE, "parity")
TABLES = os.path.join(REPO, "src", "test", "resources", "scheduler-reference", "flow-match-tables.json")

PROMPT = "a red circle on a blue background"
NEGATIVE = "blurry, dark, low quality"
STEPS = 4
STRENGTH = 0.6                    # StableDiffusion3Img2ImgPipeline's default
NOISE_SEEDS = {"t2i_64x64": 1, "i2i_posterior": 2, "i2i_noise": 3, "t2i_96x64": 4, "transformer_96x64": 5}

# part: (negative_prompt, guidance_scale, width, height, max_sequence_length, with text_encoder_3)
T2I_CASES = {
    "t2i_cfg7": (None, 7.0, 64, 64, 256, True),
    "t2i_cfg1": (None, 1.0, 64, 64, 256, True),
    "t2i_cfg5_neg_96x64": (NEGATIVE, 5.0, 96, 64, 256, True),
    "t2i_no_t5": (None, 7.0, 64, 64, 256, False),
    "t2i_t5len77": (None, 7.0, 64, 64, 77, True),
}
I2I_CASE = "i2i_s06"


# ---- scheduler ----------------------------------------------------------------------------------------------------
class FlowMatchEuler:
    """FlowMatchEulerDiscreteScheduler with a static shift and no sigmas passed (StableDiffusion3Pipeline):
    __init__ builds the shifted training table in float32 (t = linspace(1, T, T) reversed, sigma = t / T,
    shift * sigma / (1 + (shift - 1) * sigma)) and keeps its ends sigma_max, sigma_min; set_timesteps(N) takes
    timesteps = linspace(sigma_max * T, sigma_min * T, N) in float64, sigmas = timesteps / T shifted AGAIN (float64),
    then float32; timesteps = sigmas * T (float32); a final sigma 0."""

    def __init__(self, cfg):
        assert not cfg["use_dynamic_shifting"] and not cfg["shift_terminal"] and not cfg["invert_sigmas"]
        assert not (cfg["use_karras_sigmas"] or cfg["use_exponential_sigmas"] or cfg["use_beta_sigmas"])
        assert not cfg["stochastic_sampling"]
        self.T, self.shift = cfg["num_train_timesteps"], cfg["shift"]
        t = torch.from_numpy(np.linspace(1, self.T, self.T, dtype=np.float32)[::-1].copy())
        sigmas = t / self.T
        sigmas = self.shift * sigmas / (1 + (self.shift - 1) * sigmas)
        self.sigma_max, self.sigma_min = sigmas[0].item(), sigmas[-1].item()

    def set_timesteps(self, n):
        timesteps = np.linspace(self.sigma_max * self.T, self.sigma_min * self.T, n)
        sigmas = timesteps / self.T
        sigmas = self.shift * sigmas / (1 + (self.shift - 1) * sigmas)
        sigmas = torch.from_numpy(sigmas).to(torch.float32)
        self.timesteps = sigmas * self.T
        self.sigmas = torch.cat([sigmas, torch.zeros(1)])

    def step(self, model_output, i, sample):
        return sample + (self.sigmas[i + 1] - self.sigmas[i]) * model_output

    def scale_noise(self, sample, i, noise):
        sigma = self.sigmas[i]
        return sigma * noise + (1.0 - sigma) * sample


# ---- the pipeline -------------------------------------------------------------------------------------------------
class Sd3:
    def __init__(self):
        self.text_encoder = S.build_text_encoder()
        self.text_encoder_2 = S.build_text_encoder_2()
        self.text_encoder_3 = shared.build_t5()
        self.transformer = S.build_transformer()
        self.vae = shared.build_vae()
        self.tokenizer = R.Tokenizer(os.path.join(MODEL, "tokenizer"))
        self.tokenizer_2 = R.Tokenizer(os.path.join(MODEL, "tokenizer_2"))
        self.tokenizer_3 = shared.t5_tokenizer(os.path.join(MODEL, "tokenizer_3"))
        self.index = json.load(open(os.path.join(MODEL, "model_index.json")))
        self.scheduler_config = json.load(open(os.path.join(MODEL, "scheduler", "scheduler_config.json")))
        self.vae_config = json.load(open(os.path.join(MODEL, "vae_decoder", "config.json")))
        self.transformer_config = json.load(open(os.path.join(MODEL, "transformer", "config.json")))
        self.vae_scale_factor = 2 ** (len(self.vae_config["block_out_channels"]) - 1)
        for module, part in ((self.text_encoder, "text_encoder"), (self.text_encoder_2, "text_encoder_2"),
                             (self.text_encoder_3, "text_encoder_3"), (self.transformer, "transformer"),
                             (shared.vae_decoder_graph(self.vae), "vae_decoder"),
                             (shared.vae_encoder_graph(self.vae), "vae_encoder")):
            shared.same_weights(module, os.path.join(MODEL, part, "model.onnx"))

    # _get_clip_prompt_embeds: max_length 77 with the tokenizer's own pad, hidden_states[-2] (clip_skip None),
    # pooled = output [0] = text_embeds (both encoders are CLIPTextModelWithProjection)
    def clip(self, k, text, rec, prefix):
        tok, enc = ((self.tokenizer, self.text_encoder), (self.tokenizer_2, self.text_encoder_2))[k]
        ids = tok(text)
        rec.out(prefix + ("input_ids", "input_ids_2")[k], np.array([ids], np.int64))
        out = enc(torch.tensor([ids], dtype=torch.int64))
        hidden = out[2:]                                   # hidden_states.0 ... hidden_states.N
        return hidden[-2], out[0]

    # _get_t5_prompt_embeds: padding max_length = max_sequence_length, truncation; zeros without text_encoder_3
    def t5(self, text, max_sequence_length, with_t5, rec, prefix):
        if not with_t5:
            return torch.zeros(1, max_sequence_length, self.transformer_config["joint_attention_dim"])
        ids = self.tokenizer_3(text, max_sequence_length)
        rec.out(prefix + "input_ids_3", np.array([ids], np.int64))
        return self.text_encoder_3(torch.tensor([ids], dtype=torch.int64))

    def encode_one(self, text, max_sequence_length, with_t5, rec, prefix):
        h1, p1 = self.clip(0, text, rec, prefix)
        h2, p2 = self.clip(1, text, rec, prefix)
        clip_embeds = torch.cat([h1, h2], dim=-1)
        t5_embeds = self.t5(text, max_sequence_length, with_t5, rec, prefix)
        clip_embeds = F.pad(clip_embeds, (0, t5_embeds.shape[-1] - clip_embeds.shape[-1]))
        return torch.cat([clip_embeds, t5_embeds], dim=-2), torch.cat([p1, p2], dim=-1)

    def encode_prompt(self, prompt, negative_prompt, cfg, max_sequence_length, with_t5, rec):
        """encode_prompt: the negative side only with CFG, `negative_prompt or ""` (no zeroing in SD3)."""
        embeds, pooled = self.encode_one(prompt, max_sequence_length, with_t5, rec, "")
        neg = neg_pooled = None
        if cfg:
            neg, neg_pooled = self.encode_one(negative_prompt or "", max_sequence_length, with_t5, rec, "negative_")
        rec.out("prompt_embeds", embeds)
        rec.out("pooled_prompt_embeds", pooled)
        if cfg:
            rec.out("negative_prompt_embeds", neg)
            rec.out("negative_pooled_prompt_embeds", neg_pooled)
            embeds, pooled = torch.cat([neg, embeds]), torch.cat([neg_pooled, pooled])
        return embeds, pooled

    def denoise(self, latents, sched, begin, embeds, pooled, guidance, cfg, rec):
        timesteps = sched.timesteps[begin:]
        for k, t in enumerate(timesteps):
            i = begin + k
            model_input = torch.cat([latents] * 2) if cfg else latents
            timestep = t.expand(model_input.shape[0])      # the 0..1000 timestep itself, one per batch row
            out = self.transformer(model_input, embeds, pooled, timestep)
            if cfg:
                uncond, text = out.chunk(2)
                noise_pred = uncond + guidance * (text - uncond)
            else:
                noise_pred = out
            latents = sched.step(noise_pred, i, latents)
            if k == 0:
                rec.out("latent_model_input_step1", model_input)
                rec.out("timestep_step1", timestep)
                rec.out("transformer_out_step1", out)
                rec.out("noise_pred_step1", noise_pred)
            if k < len(timesteps) - 1:
                rec.out(f"latents_step{k + 1}", latents)
        rec.out("latents_final", latents)
        return latents

    def decode(self, latents, rec):
        z = latents / self.vae_config["scaling_factor"] + self.vae_config["shift_factor"]
        image = self.vae.decoder(z)
        rec.out("latent_sample", z)
        rec.out("image", image)
        # VaeImageProcessor.postprocess: (x / 2 + 0.5).clamp(0, 1), NHWC, numpy_to_pil: (x * 255).round()
        pixels = np.round(((image / 2 + 0.5).clamp(0, 1) * 255).permute(0, 2, 3, 1).numpy()).astype(np.uint8)
        rec.out("image_uint8", pixels)
        return pixels

    def schedule(self, rec):
        sched = FlowMatchEuler(self.scheduler_config)
        sched.set_timesteps(STEPS)
        rec.out("sigmas", sched.sigmas)
        return sched

    def text_to_image(self, case, noise, rec):
        negative, guidance, _, _, max_len, with_t5 = case
        cfg = guidance > 1.0                                # do_classifier_free_guidance
        embeds, pooled = self.encode_prompt(PROMPT, negative, cfg, max_len, with_t5, rec)
        sched = self.schedule(rec)
        rec.out("timesteps", sched.timesteps)
        rec.inp("initial_noise", noise)
        latents = noise                                     # prepare_latents: randn, no init_noise_sigma
        rec.out("initial_latents", latents)
        latents = self.denoise(latents, sched, 0, embeds, pooled, guidance, cfg, rec)
        return self.decode(latents, rec)

    def image_to_image(self, pixels, posterior_noise, noise, guidance, rec):
        cfg = guidance > 1.0
        embeds, pooled = self.encode_prompt(PROMPT, None, cfg, S.MAX_SEQUENCE_LENGTH, True, rec)
        sched = self.schedule(rec)
        init_timestep = min(STEPS * STRENGTH, STEPS)       # get_timesteps (a float here, as in diffusers)
        t_start = int(max(STEPS - init_timestep, 0))
        rec.out("timesteps", sched.timesteps[t_start:])
        rec.out("begin_index", np.array([t_start], np.int64))
        rec.inp("init_image_uint8", pixels[None])
        image = torch.from_numpy(pixels.astype(np.float32) / 255.0).permute(2, 0, 1)[None] * 2.0 - 1.0
        rec.inp("init_image", image)
        params = self.vae.encoder(image)
        rec.out("latent_parameters", params)
        mean, logvar = params.chunk(2, dim=1)               # DiagonalGaussianDistribution.sample
        std = torch.exp(0.5 * logvar.clamp(-30.0, 20.0))
        rec.inp("posterior_noise", posterior_noise)
        image_latents = (mean + std * posterior_noise - self.vae_config["shift_factor"]) \
            * self.vae_config["scaling_factor"]
        rec.out("image_latents", image_latents)
        rec.inp("noise", noise)
        latents = sched.scale_noise(image_latents, t_start, noise)   # sigma at begin_index
        rec.out("initial_latents", latents)
        latents = self.denoise(latents, sched, t_start, embeds, pooled, guidance, cfg, rec)
        return self.decode(latents, rec), t_start


# ---- fixtures -----------------------------------------------------------------------------------------------------
class Writer(R.Writer):
    """tiny-sdxl's manifest writer; a tensor whose bytes, dtype and shape equal an earlier one's is not written again:
    its line names the earlier file (the manifest's file column is what readers open)."""

    HEAD = ("# part in|out name dtype shape file (raw little-endian, C order; shape '-' = rank 0; a file may serve "
            "several lines); written by tools/tiny-sd3/reference.py\n# pipeline parts: "
            + ", ".join(list(T2I_CASES) + [I2I_CASE]) + " (see run.json); graph parts: text_encoder, text_encoder_2, "
            "text_encoder_3, transformer, transformer_96x64, vae_decoder, vae_encoder (inputs in each graph's own "
            "dtype and shape)\n")

    def __init__(self, folder):
        super().__init__(folder)
        self.seen = {}

    def add(self, part, io, name, value, dtype=None):
        super().add(part, io, name, value, dtype)
        fields = self.lines[-1].split(" ")
        path = os.path.join(self.folder, fields[5])
        with open(path, "rb") as f:
            key = (fields[3], fields[4], hashlib.sha256(f.read()).hexdigest())
        if key in self.seen:
            os.remove(path)
            fields[5] = self.seen[key]
            self.lines[-1] = " ".join(fields)
        else:
            self.seen[key] = fields[5]


def check_schedule(pipe):
    """The scheduler here against the committed table of tools/scheduler-reference/flow_match_reference.py (numpy,
    the same formulas) and facts-page anchors."""
    sched = FlowMatchEuler(pipe.scheduler_config)
    sched.set_timesteps(28)
    assert np.allclose(sched.sigmas[:3].numpy(), [1, 0.98738, 0.97411], atol=1e-5), sched.sigmas[:3]
    tables = json.load(open(TABLES))["pipeline_schedules"]
    for n in (28, 4, 1):
        sched.set_timesteps(n)
        want = tables[f"sd3_medium_n{n}"]
        assert sched.sigmas.tolist() == want["sigmas"] and sched.timesteps.tolist() == want["timesteps"], n


def main():
    torch.set_num_threads(1)
    os.makedirs(PARITY, exist_ok=True)
    for f in os.listdir(PARITY):
        if f.endswith(".bin") or f.endswith(".png") or f in ("manifest.txt", "run.json"):
            os.remove(os.path.join(PARITY, f))
    pipe = Sd3()
    check_schedule(pipe)
    w = Writer(PARITY)
    f = pipe.vae_scale_factor
    c = pipe.transformer_config["in_channels"]
    run = {"prompt": PROMPT, "num_inference_steps": STEPS, "scheduler": pipe.scheduler_config,
           "vae_scaling_factor": pipe.vae_config["scaling_factor"], "vae_shift_factor": pipe.vae_config["shift_factor"],
           "vae_scale_factor": f, "patch_size": pipe.transformer_config["patch_size"],
           "noise": {k: f"torch.randn(shape, generator=torch.Generator().manual_seed({v})), written as an input"
                     for k, v in NOISE_SEEDS.items()},
           "cases": {}}
    firsts = {}
    with torch.no_grad():
        for part, case in T2I_CASES.items():
            negative, guidance, width, height, max_len, with_t5 = case
            rec = R.Recorder(w, part)
            seed = NOISE_SEEDS[f"t2i_{width}x{height}"]
            pixels = pipe.text_to_image(case, R.noise(seed, (1, c, height // f, width // f)), rec)
            Image.fromarray(pixels[0]).save(os.path.join(PARITY, f"{part}.image.png"))
            firsts[part] = rec
            run["cases"][part] = {
                "kind": "text-to-image", "width": width, "height": height, "negative_prompt": negative,
                "negative_prompt_encoded": (negative or "") if guidance > 1.0 else None, "guidance_scale": guidance,
                "classifier_free_guidance": guidance > 1.0, "max_sequence_length": max_len,
                "text_encoder_3": with_t5, "noise_seed": seed}
        run["cases"]["t2i_cfg7"]["note"] = ("negative_prompt not given (None): SD3 encodes \"\" (no "
                                            "force_zeros_for_empty_prompt); diffusers' default guidance 7.0")
        run["cases"]["t2i_cfg1"]["note"] = "guidance 1.0: no classifier-free-guidance batch (transformer batch 1)"
        run["cases"]["t2i_cfg5_neg_96x64"]["note"] = (
            "96 wide x 64 high: latents [1, 16, 8, 12], 4 x 6 patches, the positional table's centre crop at rows "
            "4..7, columns 3..8 of 12 x 12")
        run["cases"]["t2i_no_t5"]["note"] = (
            "as diffusers runs a folder without text_encoder_3 / tokenizer_3 (model_index [null, null]): the T5 part "
            "of prompt_embeds and negative_prompt_embeds is zeros (max_sequence_length x joint_attention_dim); the "
            "CLIP part and the pooled embeddings are unchanged; same noise as t2i_cfg7")
        run["cases"]["t2i_t5len77"]["note"] = ("max_sequence_length 77: T5 ids padded to 77, prompt_embeds "
                                               "(1, 154, 96); same noise as t2i_cfg7")

        pixels_in = R.input_picture()
        Image.fromarray(pixels_in).save(os.path.join(PARITY, f"{I2I_CASE}.input.png"))
        rec = R.Recorder(w, I2I_CASE)
        shape = (1, c, 64 // f, 64 // f)
        pixels, t_start = pipe.image_to_image(pixels_in, R.noise(NOISE_SEEDS["i2i_posterior"], shape),
                                              R.noise(NOISE_SEEDS["i2i_noise"], shape), 7.0, rec)
        Image.fromarray(pixels[0]).save(os.path.join(PARITY, f"{I2I_CASE}.image.png"))
        run["cases"][I2I_CASE] = {
            "kind": "image-to-image", "width": 64, "height": 64, "negative_prompt": None,
            "negative_prompt_encoded": "", "guidance_scale": 7.0, "classifier_free_guidance": True,
            "strength": STRENGTH, "max_sequence_length": S.MAX_SEQUENCE_LENGTH, "text_encoder_3": True,
            "begin_index": t_start, "input_image": f"{I2I_CASE}.input.png (also {I2I_CASE}.init_image_uint8.bin, NHWC)",
            "note": f"init_timestep = min(4 * 0.6, 4) = 2.4, t_start = int(4 - 2.4) = {t_start}: timesteps[{t_start}:], "
                    f"begin_index {t_start}; image latents = (mean + exp(0.5 * clamp(logvar, -30, 20)) * "
                    "posterior_noise - shift_factor) * scaling_factor; latents = sigma[begin] * noise + (1 - "
                    "sigma[begin]) * image latents (scale_noise)"}

        # graph parts: every output of each graph on a sample (batch 1, as the pipeline runs the encoders; the
        # pipeline cases' prompts and "" are held against the encoders by OrtCheck through prompt_embeds)
        for part, tok, enc, names in (
                ("text_encoder", pipe.tokenizer, pipe.text_encoder, ["text_embeds", "last_hidden_state"]),
                ("text_encoder_2", pipe.tokenizer_2, pipe.text_encoder_2, ["text_embeds", "last_hidden_state"])):
            ids = torch.tensor([tok(NEGATIVE)], dtype=torch.int64)
            w.add(part, "in", "input_ids", ids)
            outs = enc(ids)
            for n, v in zip(names + [f"hidden_states.{i}" for i in range(len(outs) - 2)], outs):
                w.add(part, "out", n, v)
        ids = torch.tensor([pipe.tokenizer_3(NEGATIVE, 77)], dtype=torch.int64)
        w.add("text_encoder_3", "in", "input_ids", ids)
        w.add("text_encoder_3", "out", "last_hidden_state", pipe.text_encoder_3(ids))

        def transformer_part(part, sample, embeds, pooled, timestep):
            w.add(part, "in", "hidden_states", sample)
            w.add(part, "in", "encoder_hidden_states", embeds)
            w.add(part, "in", "pooled_projections", pooled)
            w.add(part, "in", "timestep", timestep)
            w.add(part, "out", "out_hidden_states", pipe.transformer(sample, embeds, pooled, timestep))

        # batch 1 (the CFG batches are run from the pipeline cases' records by OrtCheck): t2i_t5len77's initial
        # latents and positive embeddings (154 tokens) at t = 1000; then non-square, latents 8 high x 12 wide
        manifest = {(l.split(" ")[0], l.split(" ")[2]): l.split(" ") for l in w.lines}

        def load(part, name):
            fields = manifest[(part, name)]
            dt = {"float32": "<f4", "int64": "<i8"}[fields[3]]
            return torch.from_numpy(np.fromfile(os.path.join(PARITY, fields[5]), dt).reshape(
                [int(d) for d in fields[4].split(",")]))

        p = "t2i_t5len77"
        transformer_part("transformer", load(p, "initial_latents"), load(p, "prompt_embeds"),
                         load(p, "pooled_prompt_embeds"), load(p, "timestep_step1")[:1])
        sched = FlowMatchEuler(pipe.scheduler_config)
        sched.set_timesteps(STEPS)
        transformer_part("transformer_96x64", R.noise(NOISE_SEEDS["transformer_96x64"], (1, c, 8, 12)),
                         load(p, "prompt_embeds"), load(p, "pooled_prompt_embeds"), sched.timesteps[1:2].clone())

        z = load("t2i_cfg7", "latent_sample")
        w.add("vae_decoder", "in", "latent_sample", z)
        w.add("vae_decoder", "out", "sample", pipe.vae.decoder(z))
        img = load(I2I_CASE, "init_image")
        w.add("vae_encoder", "in", "sample", img)
        w.add("vae_encoder", "out", "latent_parameters", pipe.vae.encoder(img))

    w.manifest()
    sched = FlowMatchEuler(pipe.scheduler_config)
    sched.set_timesteps(STEPS)
    run["timesteps"] = sched.timesteps.tolist()
    run["sigmas"] = sched.sigmas.tolist()
    run["scheduler_training_table"] = {"sigma_max": sched.sigma_max, "sigma_min": sched.sigma_min}
    for part, case in run["cases"].items():
        begin = case.get("begin_index", 0)
        case["timesteps"] = run["timesteps"][begin:]
        case["sigmas"] = run["sigmas"][begin:]
    run["transformer_timestep_input"] = {
        "dtype": "float32", "shape": "[batch] (t.expand(batch): one value per row of the CFG batch)",
        "value": "the scheduler's timestep itself, sigma * 1000 (the model does not rescale it)"}
    with open(os.path.join(PARITY, "run.json"), "w") as fh:
        json.dump(run, fh, indent=2)
        fh.write("\n")

    size = sum(os.path.getsize(os.path.join(PARITY, x)) for x in os.listdir(PARITY))
    files = len([x for x in os.listdir(PARITY) if x.endswith(".bin")])
    print(f"{len(w.lines)} tensors ({files} files) in {PARITY} ({size} bytes); timesteps "
          f"{[round(t, 4) for t in run['timesteps']]}, sigmas {[round(s, 5) for s in run['sigmas']]}")
    for part in run["cases"]:
        lat = load(part, "latents_final").numpy()
        img = np.fromfile(os.path.join(PARITY, manifest[(part, "image_uint8")][5]), np.uint8)
        print(f"  {part}: final latents std {lat.std():.3f}, picture mean {img.mean():.1f}")


if __name__ == "__main__":
    main()
