"""ONNX export and checks shared by the tiny flow-matching fixtures (FLUX.1, SD3): opset 17, fixed export settings,
then onnx.checker with full check and strict shape inference, and a check that the graph's inputs and outputs are
named, typed and ordered as asked (optimum's names)."""
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

OPSET = 17
SDXL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tiny-sdxl")


def export_checked(module, args, path, inputs, outputs, axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    got_in = [i.name for i in model.graph.input]
    got_out = [o.name for o in model.graph.output]
    assert got_in == inputs and got_out == outputs, (path, got_in, got_out)
    for value in list(model.graph.input) + list(model.graph.output):
        dims = value.type.tensor_type.shape.dim
        for axis, name in axes.get(value.name, {}).items():
            assert dims[axis].dim_param == name, (path, value.name, axis, dims[axis])


def sdxl_module(name):
    """A module of tools/tiny-sdxl loaded under the name sdxl_<name> (so that its reference.py does not clash with
    a fixture's own modules), e.g. sdxl_module("reference").same_weights, .Writer, .Recorder."""
    import importlib.util
    import sys
    key = f"sdxl_{name}"
    if key not in sys.modules:
        sys.path.insert(0, SDXL)
        sys.path.insert(0, os.path.join(SDXL, "..", "demo-model"))
        spec = importlib.util.spec_from_file_location(key, os.path.join(SDXL, f"{name}.py"))
        sys.modules[key] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[key])
    return sys.modules[key]


def same_weights(module, path):
    """Every parameter of the module is in the graph, by name, or by value where the exporter renamed or reshaped it
    (bias-free Linear weights stored transposed for MatMul, GroupNorm scales folded to (C, 1, 1)): what the reference
    runs is what was exported. Returns the number of parameters matched."""
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    by_size = {}
    for value in inits.values():
        by_size.setdefault(value.size, []).append(value)
    state = module.state_dict()
    for name, p in state.items():
        w = p.numpy()
        if name in inits and np.array_equal(inits[name], w):
            continue
        forms = [w.reshape(-1)] + ([w.T.reshape(-1)] if w.ndim == 2 else [])
        assert any(np.array_equal(c.reshape(-1), f) for c in by_size.get(w.size, []) for f in forms), (path, name)
    return len(state)
