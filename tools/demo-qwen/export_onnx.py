"""Exports the trained Qwen demo model in our Qwen-Image ONNX convention (docs/model-formats.md) into
models/demo-qwen/, and writes the parity fixtures (tools/demo-qwen/parity/) from the PyTorch originals.

Parity run: two prompts (English, Chinese) as one batch, 64x64, 8 steps, true_cfg_scale 4, negative " ",
initial noise from torch.Generator seed 42 (stored as a file, so no RNG has to be reproduced).
"""
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch

import qwen_data as qd
import qwen_modules as qm
import sample as qs
import save_checkpoint
from train_dit import batch_ids

sys.path.insert(0, os.path.join(qd.HERE, "..", "qwen-export"))
import export_qwen_image as exporter  # noqa: E402

OPSET = 17
PARITY = os.path.join(qd.HERE, "parity")
PARITY_PROMPTS = ["a red circle on a blue background", "蓝色背景上的红色圆形"]


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def export(module, args, path, inputs, outputs, axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(path)
    print(f"{path}: {os.path.getsize(path) / 1e6:.2f} MB", flush=True)


def export_all(model, out):
    """The transformer and text encoder through the real-checkpoint exporter (tools/qwen-export/), from the demo's
    weights saved as a diffusers-layout safetensors checkpoint; the demo's own 2-D VAE here."""
    checkpoint = os.path.join(qd.WORK, "checkpoint")
    save_checkpoint.save(model, checkpoint)
    exporter.export_transformer(checkpoint, out, "float32", False)
    exporter.export_text_encoder(checkpoint, out, "float32", False)
    vae = model["vae"]
    spatial = {0: "batch", 3: "height", 4: "width"}
    export(qm.VaeEncoderGraph(vae), (torch.randn(1, 3, 1, 64, 64),), os.path.join(out, "vae_encoder", "model.onnx"),
           ["sample"], ["latent_parameters"], {"sample": spatial, "latent_parameters": spatial})
    export(qm.VaeDecoderGraph(vae), (torch.randn(1, 16, 1, 8, 8),), os.path.join(out, "vae_decoder", "model.onnx"),
           ["latent_sample"], ["sample"], {"latent_sample": spatial, "sample": spatial})


def write_configs(model, out):
    """The VAE configs (the rest comes with the checkpoint, through the exporter)."""
    vae_cfg = {"_class_name": "AutoencoderKLQwenImage", "_diffusers_version": "0.35.0", "z_dim": 16,
               "spatial_compression_ratio": 8, "in_channels": 3, "sample_size": 64,
               "latents_mean": [round(float(v), 6) for v in model["mean"]],
               "latents_std": [round(float(v), 6) for v in model["std"]]}
    for part in ("vae_encoder", "vae_decoder"):
        write_json(os.path.join(out, part, "config.json"), vae_cfg)
    # the sampler must use exactly the rounded values the configs carry
    model["mean"] = torch.tensor(vae_cfg["latents_mean"], dtype=torch.float32)
    model["std"] = torch.tensor(vae_cfg["latents_std"], dtype=torch.float32)


class Manifest:
    def __init__(self, folder):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        self.folder, self.lines = folder, ["# part in|out name dtype shape file (raw little-endian); "
                                           "produced by tools/demo-qwen/export_onnx.py"]

    def add(self, part, io, name, t):
        arr = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        arr = arr.astype("<i8") if arr.dtype.kind in "iub" else arr.astype("<f4")
        file = f"{part}.{name}.bin"
        arr.tofile(os.path.join(self.folder, file))
        shape = ",".join(str(s) for s in arr.shape) or "-"
        self.lines.append(f"{part} {io} {name} {'int64' if arr.dtype.kind == 'i' else 'float32'} {shape} {file}")

    def close(self, notes):
        with open(os.path.join(self.folder, "manifest.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(self.lines) + "\n")
        write_json(os.path.join(self.folder, "run.json"), notes)


def write_parity(model):
    text, dit, vae = model["text"], model["dit"], model["vae"]
    m = Manifest(PARITY)
    noise = qs.initial_noise(2, 64, 64, 42)
    tr = {}
    img = qs.generate(model, PARITY_PROMPTS, 64, 64, steps=8, true_cfg_scale=4.0, negative_prompt=" ", noise=noise,
                      trace=tr)
    with torch.no_grad():
        for part, prompts in (("text_encoder", PARITY_PROMPTS), ("text_encoder_negative", [" ", " "])):
            ids, mask = batch_ids([qs.token_ids(model, p) for p in prompts])
            m.add(part, "in", "input_ids", ids)
            m.add(part, "in", "attention_mask", mask)
            m.add(part, "out", "last_hidden_state", text(ids, mask))
        m.add("pipeline", "out", "prompt_embeds", tr["prompt_embeds"])
        m.add("pipeline", "out", "prompt_embeds_mask", tr["prompt_embeds_mask"])
        m.add("pipeline", "out", "negative_prompt_embeds", tr["negative_prompt_embeds"])
        m.add("pipeline", "out", "negative_prompt_embeds_mask", tr["negative_prompt_embeds_mask"])
        m.add("pipeline", "in", "initial_noise", noise)                       # (B, 1, 16, 8, 8), unpacked
        m.add("pipeline", "out", "initial_latents", tr["initial_latents"])   # packed (B, 16, 64)
        m.add("pipeline", "out", "sigmas", tr["sigmas"])
        m.add("pipeline", "out", "noise_pred_step1", tr["step1_noise_pred"])  # after true CFG + rescale
        m.add("pipeline", "out", "latents_step1", tr["latents_step1"])
        m.add("pipeline", "out", "latents_final", tr["latents_final"])
        m.add("pipeline", "out", "image", img)                                # (B, 3, 64, 64) in [-1, 1]
        # one transformer call: the conditional pass of step 1
        rc = tr["rope_cond"]
        ins = {"hidden_states": tr["initial_latents"], "encoder_hidden_states": tr["prompt_embeds"],
               "encoder_hidden_states_mask": tr["prompt_embeds_mask"], "timestep": tr["step1_timestep"],
               "image_rotary_cos": rc[0], "image_rotary_sin": rc[1], "text_rotary_cos": rc[2],
               "text_rotary_sin": rc[3]}
        for k, v in ins.items():
            m.add("transformer", "in", k, v)
        m.add("transformer", "out", "sample", dit(*ins.values()))
        rn = tr["rope_neg"]
        m.add("transformer_negative", "in", "encoder_hidden_states", tr["negative_prompt_embeds"])
        m.add("transformer_negative", "in", "encoder_hidden_states_mask", tr["negative_prompt_embeds_mask"])
        m.add("transformer_negative", "in", "text_rotary_cos", rn[2])
        m.add("transformer_negative", "in", "text_rotary_sin", rn[3])
        m.add("transformer_negative", "out", "sample",
              dit(tr["initial_latents"], tr["negative_prompt_embeds"], tr["negative_prompt_embeds_mask"],
                  tr["step1_timestep"], rn[0], rn[1], rn[2], rn[3]))
        # another size (96 high, 64 wide): the same graphs, other rotary tables (dynamic spatial axes)
        g = torch.Generator().manual_seed(7)
        r96 = qs.dit_rope(dit, 12, 8, tr["prompt_embeds"].shape[1])
        ins96 = dict(ins, hidden_states=torch.randn(2, 24, 64, generator=g), image_rotary_cos=r96[0],
                     image_rotary_sin=r96[1], text_rotary_cos=r96[2], text_rotary_sin=r96[3])
        for k, v in ins96.items():
            m.add("transformer_96x64", "in", k, v)
        m.add("transformer_96x64", "out", "sample", dit(*ins96.values()))
        z96 = torch.randn(1, 16, 1, 12, 8, generator=g)
        m.add("vae_decoder_96x64", "in", "latent_sample", z96)
        m.add("vae_decoder_96x64", "out", "sample", vae.decode5d(z96))
        m.add("vae_decoder", "in", "latent_sample", tr["vae_latent_sample"])
        m.add("vae_decoder", "out", "sample", tr["vae_sample"])
        pics = torch.from_numpy(np.stack([qd.dc.render("square", "yellow", "purple", 40, 2, -1),
                                          qd.dc.render("triangle", "white", "black", 48, 0, 3)]))
        x = (pics.permute(0, 3, 1, 2).float() / 127.5 - 1.0).unsqueeze(2)
        m.add("vae_encoder", "in", "sample", x)
        m.add("vae_encoder", "out", "latent_parameters", vae.encode5d(x))
    m.close({"prompts": PARITY_PROMPTS, "negative_prompt": " ", "height": 64, "width": 64, "steps": 8,
             "true_cfg_scale": 4.0, "noise": "torch.Generator().manual_seed(42), randn (2, 1, 16, 8, 8) float32",
             "mu": tr["mu"], "sigmas": [float(s) for s in tr["sigmas"]],
             "judged": [list(qd.dc.judge(qd.dc.to_image(i))[:3]) for i in img]})
    print("parity:", [list(qd.dc.judge(qd.dc.to_image(i))[:3]) for i in img])


def main():
    torch.set_num_threads(2)
    model = qs.load()
    out = qd.MODEL_DIR
    write_configs(model, out)
    export_all(model, out)
    save_checkpoint.write_key_lists(os.path.join(qd.WORK, "checkpoint"), os.path.join(qd.HERE, "checkpoint-keys"))
    write_parity(model)


if __name__ == "__main__":
    sys.exit(main())
