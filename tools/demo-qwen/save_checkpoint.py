"""Saves the trained demo as a checkpoint in diffusers' QwenImagePipeline folder layout, the form a real Qwen-Image
checkpoint has (safetensors weights under diffusers' and transformers' parameter names), so that the demo's
transformer and text encoder are exported by the same exporter as a real model (tools/qwen-export/):

  work/checkpoint/model_index.json, scheduler/, tokenizer/,
      transformer/config.json + diffusion_pytorch_model.safetensors,
      text_encoder/config.json + model.safetensors   (plus the demo's own `vocab_remap` id table)

write_key_lists() records each part's tensor names and shapes (from the written files' headers) in
tools/demo-qwen/checkpoint-keys/, which the Java test QwenCheckpointKeysTest holds against the names diffusers'
and transformers' source give (tools/qwen-export/reference-keys/).
"""
import json
import os
import shutil
import sys

import qwen_data as qd
import qwen_modules as qm

sys.path.insert(0, os.path.join(qd.HERE, "..", "qwen-export"))
import safetensors_io  # noqa: E402

MODEL_INDEX = {
    "_class_name": "QwenImagePipeline", "_diffusers_version": "0.35.0",
    "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
    "text_encoder": ["transformers", "Qwen2_5_VLForConditionalGeneration"],
    "tokenizer": ["transformers", "Qwen2Tokenizer"],
    "transformer": ["diffusers", "QwenImageTransformer2DModel"],
    "vae": ["diffusers", "AutoencoderKLQwenImage"]}


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def text_encoder_config(text):
    c = text.config
    return {
        "architectures": ["Qwen2_5_VLForConditionalGeneration"], "model_type": "qwen2_5_vl",
        "note": "tiny text-only Qwen2-style decoder; real Qwen2.5 ids are remapped inside the graph to "
                f"{c['internal_vocab_size']} embedding rows (row 0 = any id not in the demo's captions)",
        "vocab_size": c["vocab_size"], "hidden_size": c["hidden_size"], "intermediate_size": c["intermediate_size"],
        "num_hidden_layers": c["num_hidden_layers"], "num_attention_heads": c["num_attention_heads"],
        "num_key_value_heads": c["num_key_value_heads"], "rms_norm_eps": c["rms_norm_eps"],
        "rope_theta": c["rope_theta"], "hidden_act": "silu", "bos_token_id": 151643, "eos_token_id": 151645,
        "pad_token_id": 151643, "torch_dtype": "float32"}


def save(model, folder):
    text, dit = model["text"], model["dit"]
    shutil.rmtree(folder, ignore_errors=True)
    write_json(os.path.join(folder, "model_index.json"), MODEL_INDEX)
    write_json(os.path.join(folder, "scheduler", "scheduler_config.json"), qm.SCHEDULER_CONFIG)
    shutil.copytree(os.path.join(qd.MODEL_DIR, "tokenizer"), os.path.join(folder, "tokenizer"))
    write_json(os.path.join(folder, "transformer", "config.json"),
               dict({"_class_name": "QwenImageTransformer2DModel", "_diffusers_version": "0.35.0"}, **dit.config))
    safetensors_io.write(os.path.join(folder, "transformer", "diffusion_pytorch_model.safetensors"),
                         {k: v.detach().numpy() for k, v in dit.state_dict().items()}, {"format": "pt"})
    write_json(os.path.join(folder, "text_encoder", "config.json"), text_encoder_config(text))
    safetensors_io.write(os.path.join(folder, "text_encoder", "model.safetensors"),
                         {k: v.detach().numpy() for k, v in text.state_dict().items()}, {"format": "pt"})
    return folder


def write_key_lists(checkpoint, out):
    os.makedirs(out, exist_ok=True)
    for part, file in (("transformer", "diffusion_pytorch_model.safetensors"), ("text_encoder", "model.safetensors")):
        h = safetensors_io.header(os.path.join(checkpoint, part, file))
        lines = [f"# {part}/{file} of the demo checkpoint (tools/demo-qwen/save_checkpoint.py): name shape"]
        lines += [f"{k} {','.join(str(d) for d in h[k]['shape'])}" for k in sorted(h)]
        with open(os.path.join(out, f"{part}.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
