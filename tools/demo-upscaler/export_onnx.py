"""Step 3: export work/upscaler.pt to models/demo-upscaler/ (model.onnx, config.json) and write the parity pair
for the Java tests (src/test/resources/upscaler-parity/: input.bin, output.bin, manifest.json).

ONNX opset 17; input `input` float32 [batch, 3, height, width] in [0, 1], output `output` [batch, 3, 4*height,
4*width], not clamped (like Real-ESRGAN's exports; the service clamps).
"""
import json
import os
import sys

import numpy as np
import onnx
import torch

import upscaler_common as uc

PARITY_SHAPE = (1, 3, 24, 20)        # non-square on purpose


def parity_input():
    """A fixed 24x20 crop (rows 8-31, columns 26-45) of held-out-style picture 0 of seed 7, so edges run through it."""
    lr, _, _, _, _ = uc.make_pairs(1, 7)
    crop = lr[0, 8:32, 26:46]                            # (24, 20, 3) uint8
    return np.ascontiguousarray(crop.transpose(2, 0, 1)[None].astype(np.float32) / 255)


def main():
    uc.set_threads()
    model = uc.load_model()
    os.makedirs(uc.MODEL_DIR, exist_ok=True)
    path = os.path.join(uc.MODEL_DIR, "model.onnx")
    dummy = torch.from_numpy(parity_input())
    torch.onnx.export(model, dummy, path, opset_version=17, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"},
                                    "output": {0: "batch", 2: "out_height", 3: "out_width"}},
                      do_constant_folding=True)
    graph = onnx.load(path)
    onnx.checker.check_model(graph, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(graph, check_type=True, strict_mode=True)
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
    ops = sorted({n.op_type for n in graph.graph.node})
    print(f"model.onnx: {os.path.getsize(path)} bytes, opset {graph.opset_import[0].version}, ops {ops}")
    print(f"  input {dims(inferred.graph.input[0])}, output {dims(inferred.graph.output[0])} (after shape inference)")

    params = uc.count_params(model)
    config = {"_class_name": "ImageUpscaler", "architecture": uc.ARCH, "scale": uc.SCALE, "input": "input",
              "output": "output", "value_range": [0, 1], "channels": "RGB", "trained_on": "demo pictures 64->256",
              "num_feat": uc.NUM_FEAT, "num_conv": uc.NUM_CONV, "act_type": "prelu", "parameters": params,
              "receptive_field_radius": uc.receptive_radius(), "tile": 128, "tile_overlap": 16,
              "clamped_in_graph": False, "opset": 17}
    with open(os.path.join(uc.MODEL_DIR, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")

    os.makedirs(uc.PARITY_DIR, exist_ok=True)
    x = parity_input()
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy().astype(np.float32)
    x.astype("<f4").tofile(os.path.join(uc.PARITY_DIR, "input.bin"))
    y.astype("<f4").tofile(os.path.join(uc.PARITY_DIR, "output.bin"))
    manifest = {
        "model": "models/demo-upscaler/model.onnx",
        "written_by": "tools/demo-upscaler/export_onnx.py (PyTorch module output, not clamped)",
        "layout": "raw float32, little-endian, C order (NCHW)",
        "tolerance": 1e-4,
        "tensors": [
            {"name": "input", "role": "in", "file": "input.bin", "dtype": "float32", "shape": list(x.shape)},
            {"name": "output", "role": "out", "file": "output.bin", "dtype": "float32", "shape": list(y.shape)},
        ],
        "output_min": float(y.min()), "output_max": float(y.max()),
    }
    with open(os.path.join(uc.PARITY_DIR, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"parity: input {list(x.shape)}, output {list(y.shape)} (range {y.min():.4f} .. {y.max():.4f}) -> "
          f"{os.path.relpath(uc.PARITY_DIR, uc.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
