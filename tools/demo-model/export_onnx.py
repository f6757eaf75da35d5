"""Step 4: export the trained networks as ONNX in the layouts real Stable Diffusion exports use.

- models/demo/                          optimum >= 1.24 conventions: input_ids int64, timestep float32 rank 0,
                                        vae_encoder -> latent_parameters (mean || logvar)
- src/test/resources/models/demo-legacy/ legacy diffusers script: input_ids int32, timestep int64 [batch],
                                        vae_encoder -> latent_sample (sampled), OnnxStableDiffusionPipeline index
- src/test/resources/models/demo-fp16/   optimum layout with float16 inputs, outputs and weights; the UNet's
                                        weights in an external model.onnx_data file
- src/test/resources/models/demo-parity/ fixed inputs and the PyTorch modules' outputs, for the parity check
"""
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch
import torch.nn as nn

import demo_common as dc

OPSET = 17
TEST_MODELS = os.path.join(dc.REPO, "src", "test", "resources", "models")


class TextLegacy(nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, input_ids):
        return self.text(input_ids.long())


class Half(nn.Module):
    """float16 at the graph's edges, float32 inside (the CPU kernels of ONNX Runtime are float32 anyway)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, *args):
        out = self.inner(*[a.float() if a.is_floating_point() else a for a in args])
        return tuple(o.half() for o in out) if isinstance(out, tuple) else out.half()


class VaeParameters(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, sample):
        return self.enc(sample)


class VaeSampled(nn.Module):
    """Legacy exports return latent_dist.sample(): mean + std * N(0, 1), drawn inside the graph."""

    def __init__(self, enc):
        super().__init__()
        self.enc = enc

    def forward(self, sample):
        p = self.enc(sample)
        mean, logvar = p[:, :4], p[:, 4:].clamp(-30, 20)
        return mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)


def export(module, args, path, inputs, outputs, axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(path)


def halve_weights(path, external=False):
    """Stores every float32 initializer as float16 followed by a Cast back to float32 inside the graph."""
    m = onnx.load(path)
    g = m.graph
    casts, keep = [], []
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT and np.prod(init.dims) > 16:
            arr = numpy_helper.to_array(init).astype(np.float16)
            half = numpy_helper.from_array(arr, init.name + "_fp16")
            keep.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT,
                                          name=init.name + "_cast"))
        else:
            keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    if external:
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx_data", size_threshold=1024)
    else:
        onnx.save_model(m, path)
    onnx.checker.check_model(path)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def configs(folder, vocab, scale, legacy=False):
    tok = dc.ClipBpeTokenizer(os.path.join(dc.MODEL_DIR, "tokenizer"))
    if legacy:
        index = {"_class_name": "OnnxStableDiffusionPipeline", "_diffusers_version": "0.6.0",
                 "feature_extractor": [None, None], "safety_checker": [None, None],
                 "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["diffusers", "OnnxRuntimeModel"],
                 "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "OnnxRuntimeModel"],
                 "vae_decoder": ["diffusers", "OnnxRuntimeModel"], "vae_encoder": ["diffusers", "OnnxRuntimeModel"],
                 "requires_safety_checker": False}
    else:
        index = {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.30.0",
                 "feature_extractor": [None, None], "image_encoder": [None, None], "requires_safety_checker": False,
                 "safety_checker": [None, None], "scheduler": ["diffusers", "PNDMScheduler"],
                 "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
                 "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"]}
    write_json(os.path.join(folder, "model_index.json"), index)
    write_json(os.path.join(folder, "scheduler", "scheduler_config.json"), {
        "_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
        "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False, "num_train_timesteps": 1000,
        "prediction_type": "epsilon", "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
        "timestep_spacing": "leading", "trained_betas": None})
    if folder != dc.MODEL_DIR:
        shutil.copytree(os.path.join(dc.MODEL_DIR, "tokenizer"), os.path.join(folder, "tokenizer"), dirs_exist_ok=True)
    for part in ("vae_encoder", "vae_decoder"):
        # legacy exports had no per-part configs; ours keeps the VAE's, because this VAE's scaling factor is not
        # SD's 0.18215 that loaders assume without one
        write_json(os.path.join(folder, part, "config.json"), {
            "_class_name": "AutoencoderKL", "_diffusers_version": "0.30.0", "in_channels": 3, "out_channels": 3,
            "latent_channels": 4, "sample_size": dc.SIZE, "scaling_factor": round(scale, 5),
            "block_out_channels": [64, 96], "force_upcast": False})
    if legacy:
        return
    write_json(os.path.join(folder, "text_encoder", "config.json"), {
        "_name_or_path": "qwen-image-api/demo", "architectures": ["CLIPTextModel"], "model_type": "clip_text_model",
        "vocab_size": vocab, "hidden_size": 64, "intermediate_size": 256, "num_hidden_layers": 2,
        "num_attention_heads": 2, "max_position_embeddings": dc.MAX_TOKENS, "hidden_act": "gelu",
        "layer_norm_eps": 1e-5, "bos_token_id": tok.bos, "eos_token_id": tok.eos, "pad_token_id": tok.eos,
        "projection_dim": 64, "torch_dtype": "float32"})
    write_json(os.path.join(folder, "unet", "config.json"), {
        "_class_name": "UNet2DConditionModel", "_diffusers_version": "0.30.0",
        "_note": "demo architecture (see models/demo/MODEL_CARD.md); the fields below are the ones pipelines read",
        "sample_size": dc.LATENT, "in_channels": 4, "out_channels": 4, "cross_attention_dim": 64,
        "block_out_channels": [48, 96, 96], "attention_head_dim": 24, "time_cond_proj_dim": None,
        "addition_embed_type": None})


def save_fixture(folder, lines, part, kind, name, tensor):
    arr = tensor.detach().numpy() if isinstance(tensor, torch.Tensor) else tensor
    file = f"{part}.{name}.bin"
    arr.astype(arr.dtype.newbyteorder("<")).tofile(os.path.join(folder, file))
    lines.append(f"{part} {kind} {name} {arr.dtype.name} {','.join(map(str, arr.shape)) or '-'} {file}")


def main():
    torch.manual_seed(5)
    tok = dc.ClipBpeTokenizer(os.path.join(dc.MODEL_DIR, "tokenizer"))
    vae = torch.load(os.path.join(dc.WORK, "vae.pt"))
    nets = torch.load(os.path.join(dc.WORK, "unet.pt"))
    scale = float(np.load(os.path.join(dc.WORK, "latents.npz"))["scale"])
    enc, dec = dc.VaeEncoder().eval(), dc.VaeDecoder().eval()
    enc.load_state_dict(vae["encoder"])
    dec.load_state_dict(vae["decoder"])
    text, unet = dc.TextEncoder(len(tok.encoder)).eval(), dc.Unet().eval()
    text.load_state_dict(nets["text_encoder"])
    unet.load_state_dict(nets["unet"])

    ids = torch.tensor([tok("a red circle on a blue background"), tok("")])
    sample = torch.randn(2, 4, dc.LATENT, dc.LATENT)
    t0 = torch.tensor(500.0)
    with torch.no_grad():
        ctx, pooled = text(ids)
        noise = unet(sample, t0, ctx)
        latent = torch.randn(2, 4, dc.LATENT, dc.LATENT)
        pixels = dec(latent)
        image = torch.rand(2, 3, dc.SIZE, dc.SIZE) * 2 - 1
        params = enc(image)

    text_axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
                 "last_hidden_state": {0: "batch_size", 1: "sequence_length"}, "pooler_output": {0: "batch_size"}}
    unet_axes = {"sample": {0: "batch_size", 2: "height", 3: "width"},
                 "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
                 "out_sample": {0: "batch_size", 2: "height", 3: "width"}}
    dec_axes = {"latent_sample": {0: "batch_size", 2: "height_latent", 3: "width_latent"},
                "sample": {0: "batch_size", 2: "height", 3: "width"}}
    enc_axes = {"sample": {0: "batch_size", 2: "height", 3: "width"},
                "latent_parameters": {0: "batch_size", 2: "height_latent", 3: "width_latent"}}

    # optimum >= 1.24 layout: the bundled demo model
    m = dc.MODEL_DIR
    for part in ("text_encoder", "unet", "vae_encoder", "vae_decoder"):
        shutil.rmtree(os.path.join(m, part), ignore_errors=True)
    configs(m, len(tok.encoder), scale)
    export(text, (ids,), f"{m}/text_encoder/model.onnx", ["input_ids"], ["last_hidden_state", "pooler_output"],
           text_axes)
    export(unet, (sample, t0, ctx), f"{m}/unet/model.onnx", ["sample", "timestep", "encoder_hidden_states"],
           ["out_sample"], unet_axes)
    export(dec, (latent,), f"{m}/vae_decoder/model.onnx", ["latent_sample"], ["sample"], dec_axes)
    export(VaeParameters(enc), (image,), f"{m}/vae_encoder/model.onnx", ["sample"], ["latent_parameters"], enc_axes)

    # legacy diffusers script layout
    legacy = os.path.join(TEST_MODELS, "demo-legacy")
    shutil.rmtree(legacy, ignore_errors=True)
    configs(legacy, len(tok.encoder), scale, legacy=True)
    export(TextLegacy(text), (ids.int(),), f"{legacy}/text_encoder/model.onnx", ["input_ids"],
           ["last_hidden_state", "pooler_output"], {"input_ids": {0: "batch", 1: "sequence"}})
    export(unet, (sample, torch.tensor([500, 500]), ctx), f"{legacy}/unet/model.onnx",
           ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
           {"sample": {0: "batch", 1: "channels", 2: "height", 3: "width"}, "timestep": {0: "batch"},
            "encoder_hidden_states": {0: "batch", 1: "sequence"}})
    export(dec, (latent,), f"{legacy}/vae_decoder/model.onnx", ["latent_sample"], ["sample"],
           {"latent_sample": {0: "batch", 1: "channels", 2: "height", 3: "width"}})
    export(VaeSampled(enc), (image,), f"{legacy}/vae_encoder/model.onnx", ["sample"], ["latent_sample"],
           {"sample": {0: "batch", 1: "channels", 2: "height", 3: "width"}})

    # float16 layout
    half = os.path.join(TEST_MODELS, "demo-fp16")
    shutil.rmtree(half, ignore_errors=True)
    configs(half, len(tok.encoder), scale)
    export(Half(text), (ids,), f"{half}/text_encoder/model.onnx", ["input_ids"],
           ["last_hidden_state", "pooler_output"], text_axes)
    export(Half(unet), (sample.half(), t0.half(), ctx.half()), f"{half}/unet/model.onnx",
           ["sample", "timestep", "encoder_hidden_states"], ["out_sample"], unet_axes)
    export(Half(dec), (latent.half(),), f"{half}/vae_decoder/model.onnx", ["latent_sample"], ["sample"], dec_axes)
    export(Half(VaeParameters(enc)), (image.half(),), f"{half}/vae_encoder/model.onnx", ["sample"],
           ["latent_parameters"], enc_axes)
    for part in ("text_encoder", "unet", "vae_decoder", "vae_encoder"):
        halve_weights(f"{half}/{part}/model.onnx", external=part == "unet")

    # parity fixtures: inputs and the PyTorch modules' outputs
    fx = os.path.join(TEST_MODELS, "demo-parity")
    shutil.rmtree(fx, ignore_errors=True)
    os.makedirs(fx)
    lines = ["# part in|out name dtype shape file (raw little-endian); produced by tools/demo-model/export_onnx.py"]
    save_fixture(fx, lines, "text_encoder", "in", "input_ids", ids)
    save_fixture(fx, lines, "text_encoder", "out", "last_hidden_state", ctx)
    save_fixture(fx, lines, "text_encoder", "out", "pooler_output", pooled)
    save_fixture(fx, lines, "unet", "in", "sample", sample)
    save_fixture(fx, lines, "unet", "in", "timestep", t0)
    save_fixture(fx, lines, "unet", "in", "encoder_hidden_states", ctx)
    save_fixture(fx, lines, "unet", "out", "out_sample", noise)
    save_fixture(fx, lines, "vae_decoder", "in", "latent_sample", latent)
    save_fixture(fx, lines, "vae_decoder", "out", "sample", pixels)
    save_fixture(fx, lines, "vae_encoder", "in", "sample", image)
    save_fixture(fx, lines, "vae_encoder", "out", "latent_parameters", params)
    with open(os.path.join(fx, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")

    for folder in (m, legacy, half):
        total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
        print(f"{os.path.relpath(folder, dc.REPO)}: {total / 1e6:.2f} MB")


if __name__ == "__main__":
    sys.exit(main())
