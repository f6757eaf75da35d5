"""Writes the tiny random-weight SDXL fixture, src/test/resources/models/tiny-sdxl/, in the layout of an optimum ONNX
export of StableDiffusionXLPipeline (see README.md for which optimum version and why).

    /usr/bin/python3 tools/tiny-sdxl/export_onnx.py
    /usr/bin/python3 tools/tiny-sdxl/export_onnx.py --variant lcm     (after the first: src/test/resources/models/tiny-lcm-sdxl/)

The folder is deleted and rewritten; the weights come from a fixed seed (sdxl_modules.SEED), so every run writes the
same bytes. The VAE graphs are the SD demo's (models/demo/vae_*), copied unchanged.

`--variant lcm` writes the LCM-SDXL variant: tiny-sdxl's tokenizers, text encoders and VAE copied byte for byte, an
LCM UNet (sdxl_modules.LcmUNet, seed SEED_LCM: tiny-sdxl's UNet plus time_cond_proj_dim and a `timestep_cond` input),
an LCMScheduler config and the index of an LCM-SDXL folder (StableDiffusionXLPipeline with an LCMScheduler).
"""
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sdxl_modules as M  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "src", "test", "resources", "models", "tiny-sdxl")
OUT_LCM = os.path.join(REPO, "src", "test", "resources", "models", "tiny-lcm-sdxl")
DEMO = os.path.join(REPO, "models", "demo")
OPSET = 14                # optimum 1.23's UNetOnnxConfig.DEFAULT_ONNX_OPSET (CLIP's causal mask needs Trilu, opset 14)
DIFFUSERS_VERSION = "0.30.0"
TRANSFORMERS_VERSION = "4.46.3"

# optimum 1.23 (the last release before PR #2073): text_encoder ids int32 (CLIPTextOnnxConfig casts its dummy input),
# text_encoder_2 ids int64, timestep int64 of shape [steps]. `--convention optimum-onnx` writes what optimum >= 1.24 and
# optimum-onnx export instead: int64 ids for both encoders and a float32 rank-0 timestep.
CONVENTIONS = {
    "optimum-1.23": dict(ids=(torch.int32, torch.int64), timestep=torch.int64, timestep_axes={0: "steps"}),
    "optimum-onnx": dict(ids=(torch.int64, torch.int64), timestep=torch.float32, timestep_axes={}),
}


def write_json(path, obj, sort=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=sort)
        f.write("\n")


def export(module, args, path, inputs, outputs, axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)          # full_check runs ONNX shape inference too
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def dummy_ids(dtype, batch=2):
    # any ids work for tracing; these are BOS, three words, EOS, then EOS padding
    row = [M.BOS_ID, 400, 100, 200, M.EOS_ID] + [M.EOS_ID] * (M.MAX_TOKENS - 5)
    return torch.tensor([row] * batch, dtype=dtype)


def text_encoder_config(cfg, architecture, pad_id):
    return {
        "_name_or_path": "qwen-image-api/tiny-sdxl",
        "architectures": [architecture],
        "attention_dropout": 0.0,
        "bos_token_id": M.BOS_ID,
        "dropout": 0.0,
        "eos_token_id": M.EOS_ID,
        "hidden_act": cfg["hidden_act"],
        "hidden_size": cfg["hidden_size"],
        "initializer_factor": 1.0,
        "initializer_range": 0.02,
        "intermediate_size": cfg["intermediate_size"],
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": M.MAX_TOKENS,
        "model_type": "clip_text_model",
        "num_attention_heads": cfg["num_attention_heads"],
        "num_hidden_layers": cfg["num_hidden_layers"],
        "output_hidden_states": True,            # set by optimum's _get_submodels_for_export_diffusion for SDXL
        "pad_token_id": pad_id,
        "projection_dim": cfg["projection_dim"],
        "torch_dtype": "float32",
        "transformers_version": TRANSFORMERS_VERSION,
        "vocab_size": M.VOCAB,
    }


def unet_config(u=M.UNET, note="tiny random-weight fixture (tools/tiny-sdxl); structure of SDXL's UNet at toy widths"):
    return {
        "_class_name": "UNet2DConditionModel",
        "_diffusers_version": DIFFUSERS_VERSION,
        "_note": note,
        "act_fn": "silu",
        "addition_embed_type": "text_time",
        "addition_embed_type_num_heads": 64,
        "addition_time_embed_dim": M.ADDITION_TIME_EMBED_DIM,
        "attention_head_dim": list(u["attention_head_dim"]),
        "attention_type": "default",
        "block_out_channels": list(u["block_out_channels"]),
        "center_input_sample": False,
        "class_embed_type": None,
        "class_embeddings_concat": False,
        "conv_in_kernel": 3,
        "conv_out_kernel": 3,
        "cross_attention_dim": M.CROSS_ATTENTION_DIM,
        "cross_attention_norm": None,
        "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"],
        "downsample_padding": 1,
        "dropout": 0.0,
        "dual_cross_attention": False,
        "encoder_hid_dim": None,
        "encoder_hid_dim_type": None,
        "flip_sin_to_cos": True,
        "freq_shift": 0,
        "in_channels": u["in_channels"],
        "layers_per_block": u["layers_per_block"],
        "mid_block_only_cross_attention": None,
        "mid_block_scale_factor": 1,
        "mid_block_type": "UNetMidBlock2DCrossAttn",
        "norm_eps": 1e-05,
        "norm_num_groups": u["norm_num_groups"],
        "num_attention_heads": None,
        "num_class_embeds": None,
        "only_cross_attention": False,
        "out_channels": u["out_channels"],
        "projection_class_embeddings_input_dim": M.PROJECTION_CLASS_EMBEDDINGS_INPUT_DIM,
        "requires_aesthetics_score": False,      # optimum adds these two before export (exporters/utils.py)
        "text_encoder_projection_dim": M.TEXT_ENCODER_2["projection_dim"],
        "resnet_out_scale_factor": 1.0,
        "resnet_skip_time_act": False,
        "resnet_time_scale_shift": "default",
        "reverse_transformer_layers_per_block": None,
        "sample_size": u["sample_size"],
        "time_cond_proj_dim": u.get("time_cond_proj_dim"),
        "time_embedding_act_fn": None,
        "time_embedding_dim": None,
        "time_embedding_type": "positional",
        "timestep_post_act": None,
        "transformer_layers_per_block": [1, 1],
        "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
        "upcast_attention": None,
        "use_linear_projection": True,
    }


def vae_config():
    demo = json.load(open(os.path.join(DEMO, "vae_decoder", "config.json")))
    return {
        "_class_name": "AutoencoderKL",
        "_diffusers_version": DIFFUSERS_VERSION,
        "_note": "the SD demo's VAE (models/demo/vae_*); block_out_channels has four entries because diffusers derives "
                 "vae_scale_factor = 2 ** (len(block_out_channels) - 1) = 8 from it (the demo's own config lists "
                 "only its two encoder widths); force_upcast as in SDXL's VAE config",
        "act_fn": "silu",
        "block_out_channels": [64, 96, 96, 96],
        "down_block_types": ["DownEncoderBlock2D"] * 4,
        "force_upcast": True,
        "in_channels": demo["in_channels"],
        "latent_channels": demo["latent_channels"],
        "out_channels": demo["out_channels"],
        "sample_size": demo["sample_size"],
        "scaling_factor": demo["scaling_factor"],
        "up_block_types": ["UpDecoderBlock2D"] * 4,
    }


SCHEDULER = {   # stabilityai/stable-diffusion-xl-base-1.0 scheduler/scheduler_config.json's values
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

MODEL_INDEX = {
    "_class_name": "StableDiffusionXLPipeline",
    "_diffusers_version": DIFFUSERS_VERSION,
    "feature_extractor": [None, None],
    "force_zeros_for_empty_prompt": True,
    "image_encoder": [None, None],
    "scheduler": ["diffusers", "EulerDiscreteScheduler"],
    "text_encoder": ["transformers", "CLIPTextModel"],
    "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "tokenizer_2": ["transformers", "CLIPTokenizer"],
    "unet": ["diffusers", "UNet2DConditionModel"],
    "vae": ["diffusers", "AutoencoderKL"],
}


# LCMScheduler config of an LCM-SDXL folder. latent-consistency/lcm-sdxl ships only its UNet; its model card loads it
# into stabilityai/stable-diffusion-xl-base-1.0 and sets `pipe.scheduler = LCMScheduler.from_config(pipe.scheduler
# .config)`, and full LCM-SDXL folders are that pipeline saved. diffusers' ConfigMixin.from_config / extract_init_dict
# take every LCMScheduler.__init__ key the SDXL base file has, the __init__ defaults for the others, and keep the base
# file's remaining keys as hidden config entries that save_config writes back. So, key by key:
SCHEDULER_LCM = {
    "_class_name": "LCMScheduler",
    "_diffusers_version": DIFFUSERS_VERSION,
    "beta_end": 0.012,                          # SDXL base file
    "beta_schedule": "scaled_linear",           # SDXL base file
    "beta_start": 0.00085,                      # SDXL base file
    "clip_sample": False,                       # SDXL base file (LCMScheduler's default is False too)
    "clip_sample_range": 1.0,                   # LCMScheduler default
    "dynamic_thresholding_ratio": 0.995,        # LCMScheduler default
    "interpolation_type": "linear",             # SDXL base file's Euler key, kept (unused by LCM)
    "num_train_timesteps": 1000,                # SDXL base file
    "original_inference_steps": 50,             # LCMScheduler default (LCM distillation's 50-step skipping schedule)
    "prediction_type": "epsilon",               # SDXL base file
    "rescale_betas_zero_snr": False,            # LCMScheduler default
    "sample_max_value": 1.0,                    # SDXL base file
    "set_alpha_to_one": False,                  # SDXL base file (LCMScheduler's default is True); never used: LCM's
                                                # previous timestep is never negative (the last step uses its own t)
    "skip_prk_steps": True,                     # SDXL base file's PNDM key, kept (unused)
    "steps_offset": 1,                          # SDXL base file; LCMScheduler.set_timesteps does not read it
    "thresholding": False,                      # LCMScheduler default
    "timestep_scaling": 10.0,                   # LCMScheduler default
    "timestep_spacing": "leading",              # SDXL base file (and LCM's default); set_timesteps does not read it
    "trained_betas": None,                      # SDXL base file
    "use_karras_sigmas": False,                 # SDXL base file's Euler key, kept (unused)
}

MODEL_INDEX_LCM = dict(MODEL_INDEX, scheduler=["diffusers", "LCMScheduler"])


def tokenizers():
    src = os.path.join(DEMO, "tokenizer")
    for name in ("tokenizer", "tokenizer_2"):
        dst = os.path.join(OUT, name)
        os.makedirs(dst)
        for f in ("merges.txt", "vocab.json", "special_tokens_map.json", "tokenizer_config.json"):
            shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
    # SDXL's second tokenizer (OpenCLIP's) pads with "!", which is id 0 in CLIP's byte-level vocabulary; the demo's
    # vocabulary has the same 256 byte symbols first, so "!" is id 0 here too
    vocab = json.load(open(os.path.join(src, "vocab.json"), encoding="utf-8"))
    assert vocab["!"] == 0 and vocab["<|startoftext|>"] == M.BOS_ID and vocab["<|endoftext|>"] == M.EOS_ID
    for f in ("special_tokens_map.json", "tokenizer_config.json"):
        path = os.path.join(OUT, "tokenizer_2", f)
        d = json.load(open(path))
        d["pad_token"] = "!"
        write_json(path, d, sort=False)


def signature(path):
    m = onnx.load(path)

    def fmt(v):
        t = v.type.tensor_type
        dims = ",".join(d.dim_param or str(d.dim_value) for d in t.shape.dim)
        return f"{v.name} {onnx.TensorProto.DataType.Name(t.elem_type).lower()} [{dims}]"
    return [fmt(v) for v in m.graph.input], [fmt(v) for v in m.graph.output]


def report(out):
    total = 0
    for root, _, files in sorted(os.walk(out)):
        for f in sorted(files):
            p = os.path.join(root, f)
            total += os.path.getsize(p)
            if f.endswith(".onnx"):
                ins, outs = signature(p)
                print(f"{os.path.relpath(p, out)} ({os.path.getsize(p)} bytes)")
                print("  in : " + "; ".join(ins))
                print("  out: " + "; ".join(outs))
    return total


def main_lcm(convention, conv):
    """tiny-lcm-sdxl: tiny-sdxl's tokenizers, text encoders and VAE copied byte for byte, the LCM UNet exported."""
    if not os.path.isfile(os.path.join(OUT, "model_index.json")):
        sys.exit(f"{OUT} is missing: run export_onnx.py (tiny-sdxl) first")
    ids_type = {p: {v.name: v for v in onnx.load(os.path.join(OUT, p, "model.onnx")).graph.input}["input_ids"]
                .type.tensor_type.elem_type for p in ("text_encoder", "text_encoder_2")}
    want = tuple(onnx.TensorProto.INT32 if d == torch.int32 else onnx.TensorProto.INT64 for d in conv["ids"])
    if (ids_type["text_encoder"], ids_type["text_encoder_2"]) != want:
        sys.exit(f"{OUT} was exported with another --convention than {convention}: export it again with this one")
    torch.set_num_threads(1)
    unet = M.build_lcm_unet()
    if os.path.isdir(OUT_LCM):
        shutil.rmtree(OUT_LCM)
    os.makedirs(OUT_LCM)
    for part in ("tokenizer", "tokenizer_2", "text_encoder", "text_encoder_2", "vae_decoder", "vae_encoder"):
        shutil.copytree(os.path.join(OUT, part), os.path.join(OUT_LCM, part))

    # unet: UNetOnnxConfig with addition_embed_type "text_time" and time_cond_proj_dim: timestep_cond
    # {0: "batch_size"}, ordered after encoder_hidden_states (forward's signature), text_embeds and time_ids last
    b = 2                # not 1, so that no batch broadcast is specialised while tracing
    g = torch.Generator().manual_seed(0)
    timestep = torch.tensor([999] if conv["timestep_axes"] else 999, dtype=conv["timestep"])
    args = (torch.randn(b, 4, 8, 8, generator=g), timestep,
            torch.randn(b, M.MAX_TOKENS, M.CROSS_ATTENTION_DIM, generator=g),
            torch.randn(b, M.TIME_COND_PROJ_DIM, generator=g),
            torch.randn(b, M.TEXT_ENCODER_2["projection_dim"], generator=g),
            torch.tensor([[64.0, 64, 0, 0, 64, 64]] * b))
    spatial = {0: "batch_size", 2: "height", 3: "width"}
    seq = {0: "batch_size", 1: "sequence_length"}
    export(unet, args, os.path.join(OUT_LCM, "unet", "model.onnx"),
           ["sample", "timestep", "encoder_hidden_states", "timestep_cond", "text_embeds", "time_ids"],
           ["out_sample"],
           {"sample": spatial, "timestep": conv["timestep_axes"], "encoder_hidden_states": seq,
            "timestep_cond": {0: "batch_size"}, "text_embeds": {0: "batch_size"}, "time_ids": {0: "batch_size"},
            "out_sample": spatial})
    write_json(os.path.join(OUT_LCM, "unet", "config.json"), unet_config(
        M.UNET_LCM, "tiny random-weight fixture (tools/tiny-sdxl, --variant lcm); tiny-sdxl's UNet structure plus "
                    "time_cond_proj_dim, as an LCM-distilled SDXL UNet (latent-consistency/lcm-sdxl: 256)"))
    write_json(os.path.join(OUT_LCM, "scheduler", "scheduler_config.json"), SCHEDULER_LCM)
    write_json(os.path.join(OUT_LCM, "model_index.json"), MODEL_INDEX_LCM)
    total = report(OUT_LCM)
    print(f"variant lcm; convention {convention}; opset {OPSET}; unet parameters {M.count_params(unet)} "
          f"(time_cond_proj_dim {M.TIME_COND_PROJ_DIM}, seed {M.SEED_LCM}); folder {total} bytes")


def main():
    convention = "optimum-1.23"
    if "--convention" in sys.argv:
        convention = sys.argv[sys.argv.index("--convention") + 1]
    conv = CONVENTIONS[convention]
    variant = sys.argv[sys.argv.index("--variant") + 1] if "--variant" in sys.argv else "sdxl"
    if variant == "lcm":
        return main_lcm(convention, conv)
    if variant != "sdxl":
        sys.exit(f"unknown --variant {variant} (sdxl or lcm)")
    torch.set_num_threads(1)
    te, te2, unet = M.build_models()
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)

    # text_encoder: CLIPTextOnnxConfig
    n1 = M.TEXT_ENCODER["num_hidden_layers"]
    hs1 = [f"hidden_states.{i}" for i in range(n1 + 1)]
    seq = {0: "batch_size", 1: "sequence_length"}
    export(te, (dummy_ids(conv["ids"][0]),), os.path.join(OUT, "text_encoder", "model.onnx"), ["input_ids"],
           ["last_hidden_state", "pooler_output"] + hs1,
           {"input_ids": seq, "last_hidden_state": seq, "pooler_output": {0: "batch_size"}, **{h: seq for h in hs1}})
    write_json(os.path.join(OUT, "text_encoder", "config.json"),
               text_encoder_config(M.TEXT_ENCODER, "CLIPTextModel", M.EOS_ID))

    # text_encoder_2: CLIPTextWithProjectionOnnxConfig (its text_embeds axes are optimum's, sequence_length included)
    n2 = M.TEXT_ENCODER_2["num_hidden_layers"]
    hs2 = [f"hidden_states.{i}" for i in range(n2 + 1)]
    export(te2, (dummy_ids(conv["ids"][1]),), os.path.join(OUT, "text_encoder_2", "model.onnx"), ["input_ids"],
           ["text_embeds", "last_hidden_state"] + hs2,
           {"input_ids": seq, "text_embeds": seq, "last_hidden_state": seq, **{h: seq for h in hs2}})
    write_json(os.path.join(OUT, "text_encoder_2", "config.json"),
               text_encoder_config(M.TEXT_ENCODER_2, "CLIPTextModelWithProjection", 0))

    # unet: UNetOnnxConfig with addition_embed_type "text_time"
    b = 2
    timestep = torch.tensor([999] if conv["timestep_axes"] else 999, dtype=conv["timestep"])
    args = (torch.randn(b, 4, 8, 8), timestep, torch.randn(b, M.MAX_TOKENS, M.CROSS_ATTENTION_DIM),
            torch.randn(b, M.TEXT_ENCODER_2["projection_dim"]), torch.tensor([[64.0, 64, 0, 0, 64, 64]] * b))
    spatial = {0: "batch_size", 2: "height", 3: "width"}
    export(unet, args, os.path.join(OUT, "unet", "model.onnx"),
           ["sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids"], ["out_sample"],
           {"sample": spatial, "timestep": conv["timestep_axes"], "encoder_hidden_states": seq,
            "text_embeds": {0: "batch_size"}, "time_ids": {0: "batch_size"}, "out_sample": spatial})
    write_json(os.path.join(OUT, "unet", "config.json"), unet_config())

    # the demo's VAE, unchanged graphs
    for part in ("vae_decoder", "vae_encoder"):
        os.makedirs(os.path.join(OUT, part))
        shutil.copyfile(os.path.join(DEMO, part, "model.onnx"), os.path.join(OUT, part, "model.onnx"))
        onnx.checker.check_model(os.path.join(OUT, part, "model.onnx"))
        write_json(os.path.join(OUT, part, "config.json"), vae_config())

    tokenizers()
    write_json(os.path.join(OUT, "scheduler", "scheduler_config.json"), SCHEDULER)
    write_json(os.path.join(OUT, "model_index.json"), MODEL_INDEX)

    total = report(OUT)
    print(f"convention {convention}; opset {OPSET}; parameters: text_encoder {M.count_params(te)}, "
          f"text_encoder_2 {M.count_params(te2)}, unet {M.count_params(unet)}; folder {total} bytes")


if __name__ == "__main__":
    main()
