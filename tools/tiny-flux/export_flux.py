"""Writes the tiny random-weight FLUX.1 fixtures, src/test/resources/models/tiny-flux-dev/ and tiny-flux-schnell/, in
the layout of an optimum(-onnx) ONNX export of diffusers' FluxPipeline:

    /usr/bin/python3 tools/tiny-flux/export_flux.py        (after tools/tiny-flow-common/build.sh)

Both folders are deleted and rewritten; every weight comes from a fixed seed, so every run writes the same bytes.
- tokenizer/ (CLIPTokenizer): tiny-sdxl's first tokenizer, byte for byte (pads with <|endoftext|>, as FLUX's);
- text_encoder/ (CLIPTextModel): tiny-sdxl's CLIP-L stand-in (sdxl_modules.build_models, same seed and weights),
  exported again as optimum >= 1.24 does for FluxPipeline: input_ids int64, outputs last_hidden_state and
  pooler_output only (optimum's _get_submodels_for_export_diffusion sets output_hidden_states only for SDXL / SD3);
- tokenizer_2/ (T5TokenizerFast): the four files of src/test/resources/tokenizer/t5/;
- text_encoder_2/ (T5EncoderModel): tools/tiny-flow-common/out/text_encoder_t5/, byte for byte;
- transformer/ (FluxTransformer2DModel): flux_modules, guidance_embeds true (dev) / false (schnell);
- vae_decoder/, vae_encoder/: tools/tiny-flow-common/out/vae_*, byte for byte, config with FLUX's 0.3611 / 0.1159;
- scheduler/scheduler_config.json: FLUX.1-dev's / FLUX.1-schnell's FlowMatchEulerDiscreteScheduler values;
- model_index.json: FluxPipeline.
"""
import json
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
COMMON = os.path.join(REPO, "tools", "tiny-flow-common")
sys.path.insert(0, HERE)
sys.path.insert(0, COMMON)
import flux_modules as FM  # noqa: E402
import flow_export  # noqa: E402
import t5_encoder  # noqa: E402
import vae16  # noqa: E402

SDXL_EXPORT = flow_export.sdxl_module("export_onnx")
M = flow_export.sdxl_module("sdxl_modules")
MODELS = os.path.join(REPO, "src", "test", "resources", "models")
OUT = {"dev": os.path.join(MODELS, "tiny-flux-dev"), "schnell": os.path.join(MODELS, "tiny-flux-schnell")}
T5_TOKENIZER = os.path.join(REPO, "src", "test", "resources", "tokenizer", "t5")
T5_FILES = ("spiece.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
DIFFUSERS_VERSION = "0.32.0"
write_json = SDXL_EXPORT.write_json

SCHEDULERS = {   # black-forest-labs/FLUX.1-dev and FLUX.1-schnell scheduler/scheduler_config.json values
    "dev": {"_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": DIFFUSERS_VERSION,
            "base_image_seq_len": 256, "base_shift": 0.5, "max_image_seq_len": 4096, "max_shift": 1.15,
            "num_train_timesteps": 1000, "shift": 3.0, "use_dynamic_shifting": True},
    "schnell": {"_class_name": "FlowMatchEulerDiscreteScheduler", "_diffusers_version": DIFFUSERS_VERSION,
                "base_image_seq_len": 256, "base_shift": 0.5, "max_image_seq_len": 4096, "max_shift": 1.15,
                "num_train_timesteps": 1000, "shift": 1.0, "use_dynamic_shifting": False},
}

MODEL_INDEX = {
    "_class_name": "FluxPipeline",
    "_diffusers_version": DIFFUSERS_VERSION,
    "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
    "text_encoder": ["transformers", "CLIPTextModel"],
    "text_encoder_2": ["transformers", "T5EncoderModel"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "tokenizer_2": ["transformers", "T5TokenizerFast"],
    "transformer": ["diffusers", "FluxTransformer2DModel"],
    "vae": ["diffusers", "AutoencoderKL"],
}


class ClipPooled(torch.nn.Module):
    """CLIPTextModel as optimum exports it for FluxPipeline: (last_hidden_state, pooler_output)."""

    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, input_ids):
        out = self.clip(input_ids)
        return out[0], out[1]


def transformer_inputs(guidance):
    names = ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "img_ids", "txt_ids"]
    return names + (["guidance"] if guidance else [])


def transformer_axes(guidance):
    """FluxTransformerOnnxConfig (diffusers >= 0.31: 2-D ids) inputs / outputs."""
    axes = {"hidden_states": {0: "batch_size", 1: "packed_height_width"},
            "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
            "pooled_projections": {0: "batch_size"},
            "timestep": {0: "step"},
            "img_ids": {0: "packed_height_width"},
            "txt_ids": {0: "sequence_length"},
            "out_hidden_states": {0: "batch_size", 1: "packed_height_width"}}
    if guidance:
        axes["guidance"] = {0: "batch_size"}
    return axes


def latent_image_ids(h2, w2):
    """_prepare_latent_image_ids for a (2 h2) x (2 w2) latent: rows [0, row, col], row-major (int64 here)."""
    ids = torch.zeros(h2, w2, 3, dtype=torch.int64)
    ids[..., 1] = torch.arange(h2)[:, None]
    ids[..., 2] = torch.arange(w2)[None, :]
    return ids.reshape(h2 * w2, 3)


def export_transformer(model, path):
    g = torch.Generator().manual_seed(0)
    b, h2, w2, t = 2, 4, 6, 12        # batch 2, packed 4 x 6 (non-square), 12 text tokens: nothing specialised
    args = (torch.randn(b, h2 * w2, FM.FLUX["in_channels"], generator=g),
            torch.randn(b, t, FM.FLUX["joint_attention_dim"], generator=g),
            torch.randn(b, FM.FLUX["pooled_projection_dim"], generator=g),
            torch.tensor([0.75, 0.5]), latent_image_ids(h2, w2), torch.zeros(t, 3, dtype=torch.int64))
    if model.guidance_embeds:
        args += (torch.tensor([3.5, 1.0]),)
    flow_export.export_checked(model, args, path, transformer_inputs(model.guidance_embeds), ["out_hidden_states"],
                               transformer_axes(model.guidance_embeds))


def transformer_config(variant):
    c = FM.FLUX
    return {
        "_class_name": "FluxTransformer2DModel",
        "_diffusers_version": DIFFUSERS_VERSION,
        "_note": f"tiny random-weight fixture (tools/tiny-flux); FLUX.1-{variant}'s structure at toy size",
        "attention_head_dim": c["attention_head_dim"],
        "axes_dims_rope": list(c["axes_dims_rope"]),
        "guidance_embeds": variant == "dev",
        "in_channels": c["in_channels"],
        "joint_attention_dim": c["joint_attention_dim"],
        "num_attention_heads": c["num_attention_heads"],
        "num_layers": c["num_layers"],
        "num_single_layers": c["num_single_layers"],
        "out_channels": c["out_channels"],
        "patch_size": c["patch_size"],
        "pooled_projection_dim": c["pooled_projection_dim"],
    }


def clip_config():
    cfg = SDXL_EXPORT.text_encoder_config(M.TEXT_ENCODER, "CLIPTextModel", M.EOS_ID)
    cfg["_name_or_path"] = "qwen-image-api/tiny-flux (tiny-sdxl's text_encoder weights)"
    del cfg["output_hidden_states"]            # not set for FluxPipeline by optimum
    return cfg


def copy_file(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)


def build(variant, clip_graph):
    out = OUT[variant]
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    sdxl_tok = os.path.join(MODELS, "tiny-sdxl", "tokenizer")
    for f in sorted(os.listdir(sdxl_tok)):
        copy_file(os.path.join(sdxl_tok, f), os.path.join(out, "tokenizer", f))
    copy_file(clip_graph, os.path.join(out, "text_encoder", "model.onnx"))
    write_json(os.path.join(out, "text_encoder", "config.json"), clip_config())
    for f in T5_FILES:
        copy_file(os.path.join(T5_TOKENIZER, f), os.path.join(out, "tokenizer_2", f))
    for f in ("model.onnx", "config.json"):
        copy_file(os.path.join(COMMON, "out", "text_encoder_t5", f), os.path.join(out, "text_encoder_2", f))
    model = FM.build_transformer(variant)
    path = os.path.join(out, "transformer", "model.onnx")
    export_transformer(model, path)
    flow_export.same_weights(model, path)
    write_json(os.path.join(out, "transformer", "config.json"), transformer_config(variant))
    for part in ("vae_decoder", "vae_encoder"):
        copy_file(os.path.join(COMMON, "out", part, "model.onnx"), os.path.join(out, part, "model.onnx"))
        write_json(os.path.join(out, part, "config.json"), vae16.vae_config("flux"))
    write_json(os.path.join(out, "scheduler", "scheduler_config.json"), SCHEDULERS[variant])
    write_json(os.path.join(out, "model_index.json"), MODEL_INDEX)
    total = SDXL_EXPORT.report(out)
    print(f"{os.path.basename(out)}: transformer {sum(p.numel() for p in model.parameters())} parameters "
          f"(seed {FM.SEED_DEV if variant == 'dev' else FM.SEED_SCHNELL}); folder {total} bytes")


def main():
    torch.set_num_threads(1)
    if not os.path.isfile(os.path.join(COMMON, "out", "graphs.json")):
        sys.exit("tools/tiny-flow-common/out is missing: run tools/tiny-flow-common/build.sh first")
    clip = ClipPooled(M.build_models()[0])
    clip_graph = os.path.join(HERE, "out", "text_encoder.onnx")
    seq = {0: "batch_size", 1: "sequence_length"}
    flow_export.export_checked(clip, (SDXL_EXPORT.dummy_ids(torch.int64),), clip_graph, ["input_ids"],
                               ["last_hidden_state", "pooler_output"],
                               {"input_ids": seq, "last_hidden_state": seq, "pooler_output": {0: "batch_size"}})
    flow_export.same_weights(clip.clip, clip_graph)
    for variant in ("dev", "schnell"):
        build(variant, clip_graph)


if __name__ == "__main__":
    main()
