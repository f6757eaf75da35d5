"""Exports the graphs shared by the tiny FLUX.1 and SD3 fixtures into tools/tiny-flow-common/out/ (not committed;
fixture builds copy from it):

    /usr/bin/python3 tools/tiny-flow-common/export_common.py

- out/text_encoder_t5/model.onnx + config.json: the tiny T5 v1.1 encoder (t5_encoder.py, seed T5_SEED);
- out/vae_decoder/model.onnx, out/vae_encoder/model.onnx: the tiny 16-channel VAE (vae16.py, seed VAE_SEED); the
  config.json is the family's (vae16.vae_config("flux" | "sd3")), written by each fixture build;
- out/graphs.json: seeds, sizes, signatures and sha256 of each graph.
Every graph passes onnx.checker (full check, strict shape inference) and holds exactly the module's weights.
Deterministic: same bytes every run.
"""
import hashlib
import json
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import flow_export  # noqa: E402
import t5_encoder  # noqa: E402
import vae16  # noqa: E402

OUT = os.path.join(HERE, "out")


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    torch.set_num_threads(1)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    t5 = t5_encoder.build_t5_encoder()
    t5_path = os.path.join(OUT, "text_encoder_t5", "model.onnx")
    t5_encoder.export_t5_encoder(t5, t5_path)
    write_json(os.path.join(OUT, "text_encoder_t5", "config.json"), t5_encoder.t5_config())
    vae = vae16.build_vae()
    vae16.export_vae(vae, OUT)
    checks = [(t5, t5_path), (vae16.VaeEncoderGraph(vae), os.path.join(OUT, "vae_encoder", "model.onnx")),
              (vae16.VaeDecoderGraph(vae), os.path.join(OUT, "vae_decoder", "model.onnx"))]
    graphs = {}
    sdxl_export = flow_export.sdxl_module("export_onnx")
    for module, path in checks:
        flow_export.same_weights(module, path)
        ins, outs = sdxl_export.signature(path)
        data = open(path, "rb").read()
        graphs[os.path.relpath(path, OUT)] = {
            "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "inputs": ins, "outputs": outs,
            "parameters": sum(p.numel() for p in module.parameters())}
    write_json(os.path.join(OUT, "graphs.json"), {
        "opset": flow_export.OPSET, "t5_seed": t5_encoder.T5_SEED, "vae_seed": vae16.VAE_SEED,
        "t5": t5_encoder.T5, "vae": {k: list(v) if isinstance(v, tuple) else v for k, v in vae16.VAE.items()},
        "graphs": graphs})
    for name, g in graphs.items():
        print(f"{name}: {g['bytes']} bytes, {g['parameters']} parameters\n  in : {'; '.join(g['inputs'])}\n"
              f"  out: {'; '.join(g['outputs'])}")


if __name__ == "__main__":
    main()
