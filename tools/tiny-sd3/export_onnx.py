"""Writes the tiny random-weight Stable Diffusion 3 fixture, src/test/resources/models/tiny-sd3/, in the layout of an
optimum-onnx export of StableDiffusion3Pipeline (optimum-onnx head: int64 ids, every CLIP hidden state, the SD3
transformer's four inputs with a float32 [step] timestep).

    /usr/bin/python3 tools/tiny-sd3/export_onnx.py      (after tools/tiny-sdxl and tools/tiny-flow-common are built)

The folder is deleted and rewritten; every weight comes from a fixed seed, so every run writes the same bytes.
Copied byte for byte: tiny-sdxl's tokenizer, tokenizer_2 and text_encoder_2 (model.onnx and config.json), the shared
T5 tokenizer (src/test/resources/tokenizer/t5) and the shared T5 encoder and 16-channel VAE graphs
(tools/tiny-flow-common). Exported here: text_encoder (SD3's CLIP-L with projection) and the transformer.
"""
import os
import shutil
import sys

import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tiny-flow-common"))
import sd3_modules as S  # noqa: E402
import sd3_shared as shared  # noqa: E402  (the pieces of tools/tiny-flow-common, in one place)

M = S.M
E = shared.sdxl_module("export_onnx")          # tiny-sdxl's export helpers (export, write_json, configs, report)

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "src", "test", "resources", "models", "tiny-sd3")
SDXL = os.path.join(REPO, "src", "test", "resources", "models", "tiny-sdxl")
DIFFUSERS_VERSION = "0.32.0"        # as tools/tiny-flow-common (SD3Transformer2DModel has dual_attention_layers, qk_norm)

# The transformer is exported at opset 14, as tiny-sdxl's graphs: torch 1.13's opset-17 exporter writes a
# LayerNormalization with an empty scale input for a LayerNorm without affine parameters (every norm of SD3's blocks),
# which onnx.checker rejects; at opset 14 the norm is decomposed (ReduceMean, Sub, Pow, Sqrt, Div).
OPSET = E.OPSET

MODEL_INDEX = {
    "_class_name": "StableDiffusion3Pipeline",
    "_diffusers_version": DIFFUSERS_VERSION,
    "feature_extractor": [None, None],
    "image_encoder": [None, None],
    "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
    "text_encoder": ["transformers", "CLIPTextModelWithProjection"],
    "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
    "text_encoder_3": ["transformers", "T5EncoderModel"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "tokenizer_2": ["transformers", "CLIPTokenizer"],
    "tokenizer_3": ["transformers", "T5TokenizerFast"],
    "transformer": ["diffusers", "SD3Transformer2DModel"],
    "vae": ["diffusers", "AutoencoderKL"],
}

# stabilityai/stable-diffusion-3-medium-diffusers' scheduler_config.json sets num_train_timesteps 1000 and shift 3.0;
# the other keys are FlowMatchEulerDiscreteScheduler.__init__'s defaults, which save_config writes for a loaded copy
SCHEDULER = {
    "_class_name": "FlowMatchEulerDiscreteScheduler",
    "_diffusers_version": DIFFUSERS_VERSION,
    "base_image_seq_len": 256,
    "base_shift": 0.5,
    "invert_sigmas": False,
    "max_image_seq_len": 4096,
    "max_shift": 1.15,
    "num_train_timesteps": 1000,
    "shift": 3.0,
    "shift_terminal": None,
    "stochastic_sampling": False,
    "time_shift_type": "exponential",
    "use_beta_sigmas": False,
    "use_dynamic_shifting": False,
    "use_exponential_sigmas": False,
    "use_karras_sigmas": False,
}

def transformer_config():
    c = S.TRANSFORMER
    cfg = {
        "_class_name": "SD3Transformer2DModel",
        "_diffusers_version": DIFFUSERS_VERSION,
        "_note": "tiny random-weight fixture (tools/tiny-sd3); SD3 medium's transformer structure at toy size",
    }
    cfg.update({k: c[k] for k in sorted(c)})
    # optimum's _get_submodels_for_export_diffusion sets these on the transformer's config before export
    cfg.update({"requires_aesthetics_score": False, "time_cond_proj_dim": None,
                "text_encoder_projection_dim": S.TEXT_ENCODER["projection_dim"]})
    return cfg


def check_io(path, inputs, outputs):
    m = onnx.load(path)
    got = ([i.name for i in m.graph.input], [o.name for o in m.graph.output])
    assert got == (inputs, outputs), (path, got)


def export_text_encoder():
    """SD3's text_encoder: CLIPTextWithProjectionOnnxConfig with output_hidden_states (SD3: optimum sets it)."""
    te = S.build_text_encoder()
    n = S.TEXT_ENCODER["num_hidden_layers"]
    hs = [f"hidden_states.{i}" for i in range(n + 1)]
    seq = {0: "batch_size", 1: "sequence_length"}
    path = os.path.join(OUT, "text_encoder", "model.onnx")
    outputs = ["text_embeds", "last_hidden_state"] + hs
    E.export(te, (E.dummy_ids(torch.int64),), path, ["input_ids"], outputs,
             {"input_ids": seq, "text_embeds": seq, "last_hidden_state": seq, **{h: seq for h in hs}})
    check_io(path, ["input_ids"], outputs)
    cfg = E.text_encoder_config(S.TEXT_ENCODER, "CLIPTextModelWithProjection", M.EOS_ID)
    cfg["_name_or_path"] = "qwen-image-api/tiny-sd3"
    E.write_json(os.path.join(OUT, "text_encoder", "config.json"), cfg)
    return te


def export_transformer():
    """SD3TransformerOnnxConfig: hidden_states {0: batch_size, 2: height, 3: width}, encoder_hidden_states
    {0: batch_size, 1: sequence_length}, pooled_projections {0: batch_size}, timestep float32 {0: step} (1-D, the
    DummyTransformerTimestepInputGenerator's [batch_size]) -> out_hidden_states {0: batch_size, 2: height, 3: width}."""
    tr = S.build_transformer()
    c = S.TRANSFORMER
    b = 2                # not 1, so that no batch broadcast is specialised while tracing
    g = torch.Generator().manual_seed(0)
    args = (torch.randn(b, c["in_channels"], c["sample_size"], c["sample_size"], generator=g),
            torch.randn(b, 77 + S.MAX_SEQUENCE_LENGTH, c["joint_attention_dim"], generator=g),
            torch.randn(b, c["pooled_projection_dim"], generator=g),
            torch.tensor([1000.0] * b))
    spatial = {0: "batch_size", 2: "height", 3: "width"}
    inputs = ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep"]
    path = os.path.join(OUT, "transformer", "model.onnx")
    E.export(tr, args, path, inputs, ["out_hidden_states"],
             {"hidden_states": spatial, "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
              "pooled_projections": {0: "batch_size"}, "timestep": {0: "step"}, "out_hidden_states": spatial})
    check_io(path, inputs, ["out_hidden_states"])
    # the unpatchify Reshape leaves the output's channel axis unnamed and unknown to shape inference: declare it
    model = onnx.load(path)
    channels = model.graph.output[0].type.tensor_type.shape.dim[1]
    channels.Clear()
    channels.dim_value = c["out_channels"]
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)
    E.write_json(os.path.join(OUT, "transformer", "config.json"), transformer_config())
    return tr


def main():
    torch.set_num_threads(1)
    for part in ("tokenizer", "tokenizer_2", "text_encoder_2"):
        if not os.path.isdir(os.path.join(SDXL, part)):
            sys.exit(f"{SDXL}/{part} is missing: run tools/tiny-sdxl/build.sh first")
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)

    te = export_text_encoder()
    # text_encoder_2: tiny-sdxl's CLIPTextModelWithProjection (int64 ids, every hidden state), byte for byte
    for part in ("tokenizer", "tokenizer_2", "text_encoder_2"):
        shutil.copytree(os.path.join(SDXL, part), os.path.join(OUT, part))
    ids_type = {i.name: i.type.tensor_type.elem_type
                for i in onnx.load(os.path.join(OUT, "text_encoder_2", "model.onnx")).graph.input}["input_ids"]
    assert ids_type == onnx.TensorProto.INT64, "tiny-sdxl's text_encoder_2 must take int64 ids"
    tr = export_transformer()
    shared.write_t5(os.path.join(OUT, "text_encoder_3"), os.path.join(OUT, "tokenizer_3"))
    shared.write_vae(OUT, E.write_json)                 # SD3's scaling_factor 1.5305, shift_factor 0.0609
    E.write_json(os.path.join(OUT, "scheduler", "scheduler_config.json"), SCHEDULER)
    E.write_json(os.path.join(OUT, "model_index.json"), MODEL_INDEX)

    total = E.report(OUT)
    print(f"opset {OPSET}; parameters: text_encoder {M.count_params(te)} (seed {S.SEED_TEXT_ENCODER}), transformer "
          f"{M.count_params(tr)} (seed {S.SEED_TRANSFORMER}); folder {total} bytes")


if __name__ == "__main__":
    main()
