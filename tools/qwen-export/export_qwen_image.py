"""Exports a Qwen-Image checkpoint in diffusers' folder layout (safetensors weights) to our Qwen-Image ONNX
convention (docs/model-formats.md, "Qwen-Image family"): the transformer and the text encoder, plus the
folder's configs, tokenizer and scheduler, optionally in float16/bfloat16 and with external weights.

  /usr/bin/python3 tools/qwen-export/export_qwen_image.py CHECKPOINT OUT [--dtype float32|float16|bfloat16]
        [--external-data] [--parts transformer,text_encoder,vae]

CHECKPOINT is a folder as diffusers saves a QwenImagePipeline: model_index.json, scheduler/, tokenizer/,
transformer/ (config.json + *.safetensors, sharded or not), text_encoder/ (Qwen2.5-VL: config.json +
*.safetensors), vae/. The networks are tools/demo-qwen/qwen_modules.py's, whose parameter names are diffusers'
(QwenImageTransformer2DModel) and transformers' (the Qwen2 language model of Qwen2_5_VLForConditionalGeneration, as
its published checkpoint files name it: model.layers.N..., model.embed_tokens, model.norm). Weights are loaded
strictly: a missing or unexpected key stops the export with its name. The vision tower (visual.*) and lm_head
are not needed to encode prompts and are skipped.

The VAE is qwen_vae.py's AutoencoderKLQwenImage (diffusers' parameter names, its 3-D causal network for one
frame), exported as vae_encoder/ (mean ‖ log-variance) and vae_decoder/. The demo's own small 2-D VAE is not that
network and is exported by tools/demo-qwen/export_onnx.py. Nothing here has been run against the real
20B-parameter weights (none can be downloaded on the machines this was written on); exporting the transformer
needs about 80 GB of memory in float32 tracing.
"""
import json
import os
import shutil
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "demo-qwen"))
sys.path.insert(0, HERE)

import onnx  # noqa: E402
import onnx_dtypes  # noqa: E402
import qwen_modules as qm  # noqa: E402
import safetensors_io  # noqa: E402

OPSET = 17
TRANSFORMER_KEYS = ("patch_size", "in_channels", "out_channels", "num_layers", "attention_head_dim",
                    "num_attention_heads", "joint_attention_dim", "axes_dims_rope")
SKIPPED_PREFIXES = ("visual.", "model.visual.", "lm_head.")


class TransformerGraph(nn.Module):
    """Our convention's inputs, in order, to QwenImageTransformer2DModel's forward."""

    def __init__(self, dit):
        super().__init__()
        self.dit = dit

    def forward(self, hidden_states, encoder_hidden_states, encoder_hidden_states_mask, timestep,
                image_rotary_cos, image_rotary_sin, text_rotary_cos, text_rotary_sin):
        return self.dit(hidden_states, encoder_hidden_states, encoder_hidden_states_mask, timestep,
                        image_rotary_cos, image_rotary_sin, text_rotary_cos, text_rotary_sin)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def load_strict(module, weights, what):
    """Copies `weights` into `module`; every key of the module must be given and every given key used."""
    own = module.state_dict()
    missing = sorted(set(own) - set(weights))
    unexpected = sorted(set(weights) - set(own))
    if missing or unexpected:
        raise SystemExit(f"{what}: checkpoint keys do not match the module tree: missing {missing[:10]}"
                         f"{' …' if len(missing) > 10 else ''}, unexpected {unexpected[:10]}"
                         f"{' …' if len(unexpected) > 10 else ''}")
    state = {}
    for k, v in weights.items():
        t = torch.from_numpy(v)
        if tuple(t.shape) != tuple(own[k].shape):
            raise SystemExit(f"{what}: {k} has shape {tuple(t.shape)}, the config makes {tuple(own[k].shape)}")
        state[k] = t.to(own[k].dtype)
    module.load_state_dict(state, strict=True)
    return module.eval()


def transformer_from(folder):
    config = read_json(os.path.join(folder, "config.json"))
    # flags that change the forward pass without adding weights: the strict key check cannot catch them
    for flag in ("guidance_embeds", "zero_cond_t", "use_layer3d_rope", "use_additional_t_cond"):
        if config.get(flag):
            raise SystemExit(f"{folder}/config.json: {flag} is true; our transformer does not implement it")
    kwargs = {k: config[k] for k in TRANSFORMER_KEYS if config.get(k) is not None}
    if config.get("out_channels") is None and "in_channels" in config:
        kwargs["out_channels"] = config["in_channels"]          # diffusers: out_channels or in_channels
    if "axes_dims_rope" in kwargs:
        kwargs["axes_dims_rope"] = tuple(kwargs["axes_dims_rope"])
    dit = qm.QwenImageTransformer2DModel(**kwargs)
    return load_strict(dit, safetensors_io.read_folder(folder), "transformer"), config


def text_encoder_from(folder):
    config = read_json(os.path.join(folder, "config.json"))
    text = config.get("text_config", config)     # newer Qwen2.5-VL configs nest the language model's keys
    weights = {}
    skipped = 0
    for k, v in safetensors_io.read_folder(folder).items():
        if k.startswith(SKIPPED_PREFIXES):
            skipped += 1
            continue
        if k.startswith("model.language_model."):     # transformers' in-memory layout, if saved that way
            k = "model." + k[len("model.language_model."):]
        weights[k] = v
    remap = weights.pop("vocab_remap", None)           # the demo's own id table (not part of Qwen2.5's format)
    known = None
    if remap is not None:
        known = [int(i) for i in range(len(remap)) if remap[i] != 0]
    encoder = qm.Qwen2TextEncoder(known, hidden_size=text["hidden_size"], num_hidden_layers=text["num_hidden_layers"],
                                  num_attention_heads=text["num_attention_heads"],
                                  num_key_value_heads=text["num_key_value_heads"],
                                  intermediate_size=text["intermediate_size"], rms_norm_eps=text["rms_norm_eps"],
                                  rope_theta=text.get("rope_theta", 1000000.0),
                                  vocab_size=text.get("vocab_size", qm.QWEN_VOCAB))
    if remap is not None:
        weights["vocab_remap"] = remap.astype("int32")
    print(f"text_encoder: {len(weights)} tensors ({skipped} of the vision tower and lm_head skipped)", flush=True)
    return load_strict(encoder, weights, "text_encoder"), config


def export(module, args, path, inputs, outputs, axes, dtype, external):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # ONNX's protobuf cannot hold more than 2 GB: anything large is traced straight to external data
    big = sum(p.numel() for p in module.parameters()) * 4 > 1.5e9
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
    if dtype != "float32":
        onnx_dtypes.convert(path, path, dtype, external or big)
    elif external or big:
        m = onnx.load(path)
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx_data", size_threshold=1024)
    onnx.checker.check_model(path)
    print(f"{path}: {os.path.getsize(path) / 1e6:.2f} MB", flush=True)


def export_transformer(checkpoint, out, dtype, external):
    dit, config = transformer_from(os.path.join(checkpoint, "transformer"))
    c = dit.config
    lt = 7
    (ic, is_), (tc, ts) = qm.qwen_rope_tables(1, 4, 4, lt, tuple(c["axes_dims_rope"]))
    args = (torch.randn(2, 16, c["in_channels"]), torch.randn(2, lt, c["joint_attention_dim"]),
            torch.tensor([[1] * lt, [1] * (lt - 2) + [0, 0]]), torch.tensor([0.7, 0.7]), ic, is_, tc, ts)
    names = ["hidden_states", "encoder_hidden_states", "encoder_hidden_states_mask", "timestep",
             "image_rotary_cos", "image_rotary_sin", "text_rotary_cos", "text_rotary_sin"]
    axes = {"hidden_states": {0: "batch", 1: "image_sequence"},
            "encoder_hidden_states": {0: "batch", 1: "text_sequence"},
            "encoder_hidden_states_mask": {0: "batch", 1: "text_sequence"}, "timestep": {0: "batch"},
            "image_rotary_cos": {0: "image_sequence"}, "image_rotary_sin": {0: "image_sequence"},
            "text_rotary_cos": {0: "text_sequence"}, "text_rotary_sin": {0: "text_sequence"},
            "sample": {0: "batch", 1: "image_sequence"}}
    export(TransformerGraph(dit), args, os.path.join(out, "transformer", "model.onnx"), names, ["sample"], axes,
           dtype, external)
    write_json(os.path.join(out, "transformer", "config.json"), config)


def export_text_encoder(checkpoint, out, dtype, external):
    encoder, config = text_encoder_from(os.path.join(checkpoint, "text_encoder"))
    ids = torch.tensor([[151644, 8948, 198, 151645, 151643, 151643], [151644, 872, 198, 64, 151645, 198]])
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]])
    export(encoder, (ids, mask), os.path.join(out, "text_encoder", "model.onnx"), ["input_ids", "attention_mask"],
           ["last_hidden_state"], {"input_ids": {0: "batch", 1: "sequence"},
                                   "attention_mask": {0: "batch", 1: "sequence"},
                                   "last_hidden_state": {0: "batch", 1: "sequence"}}, dtype, external)
    write_json(os.path.join(out, "text_encoder", "config.json"), config)


def export_vae(checkpoint, out, dtype, external):
    """AutoencoderKLQwenImage (qwen_vae.py, diffusers' parameter names) to vae_encoder/ and vae_decoder/, one frame,
    the causal 3-D convolutions written as the 2-D convolutions they are for a single frame."""
    import tempfile
    import qwen_vae
    folder = os.path.join(checkpoint, "vae")
    config = read_json(os.path.join(folder, "config.json"))
    vae = load_strict(qwen_vae.AutoencoderKLQwenImage.from_config(config), safetensors_io.read_folder(folder), "vae")
    with tempfile.TemporaryDirectory() as tmp:
        encoder, decoder = qwen_vae.export_onnx(vae, tmp, single_frame_2d=True)
        for part, path in (("vae_encoder", encoder), ("vae_decoder", decoder)):
            target = os.path.join(out, part, "model.onnx")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(path, target)
            if dtype != "float32":
                onnx_dtypes.convert(target, target, dtype, external)
            elif external:
                onnx.save_model(onnx.load(target), target, save_as_external_data=True, all_tensors_to_one_file=True,
                                location="model.onnx_data", size_threshold=1024)
            onnx.checker.check_model(target)
            print(f"{target}: {os.path.getsize(target) / 1e6:.2f} MB", flush=True)
            # the engine reads latents_mean / latents_std from here; the real VAE's defaults if the file has none
            write_json(os.path.join(out, part, "config.json"),
                       dict(config, latents_mean=vae.latents_mean, latents_std=vae.latents_std))


def copy_folder_files(checkpoint, out):
    """model_index.json, scheduler/ and tokenizer/ as they are (the engine reads diffusers' own files)."""
    os.makedirs(out, exist_ok=True)
    shutil.copy(os.path.join(checkpoint, "model_index.json"), os.path.join(out, "model_index.json"))
    for sub in ("scheduler", "tokenizer"):
        src = os.path.join(checkpoint, sub)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(out, sub), dirs_exist_ok=True)


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    options = {a.split("=")[0]: (a.split("=", 1)[1] if "=" in a else True) for a in argv if a.startswith("--")}
    if len(args) != 2:
        sys.exit(__doc__)
    checkpoint, out = args
    dtype = options.get("--dtype", "float32")
    if dtype not in ("float32", "float16", "bfloat16"):
        sys.exit(f"--dtype must be float32, float16 or bfloat16, not {dtype}")
    parts = str(options.get("--parts", "transformer,text_encoder,vae")).split(",")
    unknown = [p for p in parts if p not in ("transformer", "text_encoder", "vae")]
    if unknown:
        sys.exit(f"unknown parts {unknown}: the parts are transformer, text_encoder and vae")
    index = read_json(os.path.join(checkpoint, "model_index.json"))
    if index.get("_class_name") not in ("QwenImagePipeline", "QwenImageImg2ImgPipeline"):
        sys.exit(f"{checkpoint}/model_index.json names {index.get('_class_name')!r}, not a Qwen-Image pipeline")
    torch.manual_seed(0)
    copy_folder_files(checkpoint, out)
    external = bool(options.get("--external-data", False))
    if "transformer" in parts:
        export_transformer(checkpoint, out, dtype, external)
    if "text_encoder" in parts:
        export_text_encoder(checkpoint, out, dtype, external)
    if "vae" in parts:
        export_vae(checkpoint, out, dtype, external)


if __name__ == "__main__":
    main(sys.argv[1:])
