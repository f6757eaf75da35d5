"""Writes the tiny random-weight inpainting fixture, src/test/resources/models/tiny-sd-inpaint/, in the layout of an
optimum ONNX export of StableDiffusionInpaintPipeline (an SD-1.5-inpainting folder: a 9-channel UNet).

    /usr/bin/python3 tools/tiny-sd-inpaint/export_onnx.py

The folder is deleted and rewritten. `tokenizer/`, `text_encoder/`, `vae_encoder/` and `vae_decoder/` are byte-for-byte
copies of the SD demo's (models/demo/), so git stores them once; `unet/` is new: inpaint_modules.InpaintUnet (the
demo's UNet architecture at toy widths, 9 input channels) with random weights from a fixed seed, exported with the
demo UNet's input and output names, dtypes and dynamic axes (optimum >= 1.24's convention: timestep float32 rank 0).
Every run writes the same bytes.
"""
import json
import os
import shutil
import sys

import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import inpaint_modules as M  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "src", "test", "resources", "models", "tiny-sd-inpaint")
DEMO = os.path.join(REPO, "models", "demo")
OPSET = 17                # the demo's graphs' opset
DIFFUSERS_VERSION = "0.30.0"

# EulerDiscreteScheduler with SD 1.5's numbers: the same fields and values as tiny-sdxl's scheduler_config.json
SCHEDULER = {
    "_class_name": "EulerDiscreteScheduler",
    "_diffusers_version": DIFFUSERS_VERSION,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "interpolation_type": "linear",
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "sample_max_value": 1.0,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "timestep_spacing": "leading",
    "trained_betas": None,
    "use_karras_sigmas": False,
}


def write_json(path, obj, sort=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=sort)
        f.write("\n")


def model_index():
    """The demo's model_index.json (as optimum writes an SD 1.5 folder), class StableDiffusionInpaintPipeline and the
    scheduler this folder ships."""
    index = json.load(open(os.path.join(DEMO, "model_index.json"), encoding="utf-8"))
    index["_class_name"] = "StableDiffusionInpaintPipeline"
    index["scheduler"] = ["diffusers", "EulerDiscreteScheduler"]
    return index


def unet_config():
    u = M.UNET
    return {   # the demo UNet config's fields (the ones pipelines read), with this network's values
        "_class_name": "UNet2DConditionModel",
        "_diffusers_version": DIFFUSERS_VERSION,
        "_note": "tiny random-weight inpainting fixture (tools/tiny-sd-inpaint): the demo's UNet architecture "
                 "(models/demo/MODEL_CARD.md) at toy widths with 9 input channels = 4 latents + 1 mask + 4 "
                 "masked-image latents, as SD-1.5-inpainting",
        "sample_size": u["sample_size"],
        "in_channels": u["in_channels"],
        "out_channels": u["out_channels"],
        "cross_attention_dim": u["ctx"],
        "block_out_channels": list(u["ch"]),
        "attention_head_dim": u["ch"][2] // 4,
        "time_cond_proj_dim": None,
        "addition_embed_type": None,
    }


def signature(path):
    m = onnx.load(path)

    def fmt(v):
        t = v.type.tensor_type
        dims = ",".join(d.dim_param or str(d.dim_value) for d in t.shape.dim)
        return f"{v.name} {onnx.TensorProto.DataType.Name(t.elem_type).lower()} [{dims}]"
    return [fmt(v) for v in m.graph.input], [fmt(v) for v in m.graph.output]


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)          # full_check runs ONNX shape inference too
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def main():
    torch.set_num_threads(1)
    unet = M.build_unet()
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)

    # the demo's parts, byte for byte (their config.json files included)
    for part in ("tokenizer", "text_encoder", "vae_encoder", "vae_decoder"):
        shutil.copytree(os.path.join(DEMO, part), os.path.join(OUT, part))

    # unet: the demo UNet's I/O (models/demo/unet/model.onnx), in_channels 9
    b = 2                # not 1, so that no batch broadcast is specialised while tracing
    g = torch.Generator().manual_seed(0)
    args = (torch.randn(b, M.UNET["in_channels"], 8, 8, generator=g), torch.tensor(500.0),
            torch.randn(b, M.dc.MAX_TOKENS, M.UNET["ctx"], generator=g))
    path = os.path.join(OUT, "unet", "model.onnx")
    os.makedirs(os.path.dirname(path))
    with torch.no_grad():
        torch.onnx.export(unet, args, path, input_names=["sample", "timestep", "encoder_hidden_states"],
                          output_names=["out_sample"],
                          dynamic_axes={"sample": {0: "batch_size", 2: "height", 3: "width"},
                                        "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
                                        "out_sample": {0: "batch_size", 2: "height", 3: "width"}},
                          opset_version=OPSET, do_constant_folding=True)
    write_json(os.path.join(OUT, "unet", "config.json"), unet_config(), sort=False)

    write_json(os.path.join(OUT, "scheduler", "scheduler_config.json"), SCHEDULER)
    write_json(os.path.join(OUT, "model_index.json"), model_index(), sort=False)

    # every graph checked (the copies too); the new UNet's signature must be the demo's with 9 input channels
    for part in ("text_encoder", "unet", "vae_encoder", "vae_decoder"):
        check(os.path.join(OUT, part, "model.onnx"))
    ins, outs = signature(path)
    demo_ins, demo_outs = signature(os.path.join(DEMO, "unet", "model.onnx"))
    assert ins == [s.replace("[batch_size,4,", "[batch_size,9,") for s in demo_ins] and outs == demo_outs, \
        (ins, outs, demo_ins, demo_outs)

    total = 0
    for root, _, files in sorted(os.walk(OUT)):
        for f in sorted(files):
            p = os.path.join(root, f)
            total += os.path.getsize(p)
            if f.endswith(".onnx"):
                i, o = signature(p)
                print(f"{os.path.relpath(p, OUT)} ({os.path.getsize(p)} bytes)")
                print("  in : " + "; ".join(i))
                print("  out: " + "; ".join(o))
    print(f"opset {OPSET}; unet parameters {M.count_params(unet)} (seed {M.SEED}); folder {total} bytes")


if __name__ == "__main__":
    main()
