"""Stores an exported float32 ONNX graph in float16 or bfloat16, the way large Qwen-Image exports ship: every float32
weight kept as float16/bfloat16 and cast back to float32 where it is used, the float inputs and outputs declared in
the chosen type (cast at the graph's edges), the rotary tables left float32 (our convention,
docs/model-formats.md). Optionally the weights go to one external file, model.onnx_data, beside model.onnx (a
real 20B transformer is far above protobuf's 2 GB limit).

  /usr/bin/python3 tools/qwen-export/onnx_dtypes.py IN.onnx OUT.onnx float16|bfloat16 [--external-data]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TYPES = {"float16": TensorProto.FLOAT16, "bfloat16": TensorProto.BFLOAT16}
KEEP_FLOAT32 = {"image_rotary_cos", "image_rotary_sin", "text_rotary_cos", "text_rotary_sin"}


def bfloat16_bits(values):
    """float32 -> bfloat16 bit patterns, rounded to nearest even (as torch's .to(torch.bfloat16))."""
    u = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def stored_weight(init, dtype):
    arr = numpy_helper.to_array(init)
    name = init.name + "_" + dtype
    if dtype == "float16":
        return numpy_helper.from_array(arr.astype(np.float16), name)
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.BFLOAT16
    t.dims.extend(arr.shape)
    t.raw_data = bfloat16_bits(arr).tobytes()
    return t


def rename_everywhere(graph, old, new):
    for node in graph.node:
        for i, n in enumerate(node.input):
            if n == old:
                node.input[i] = new
        for i, n in enumerate(node.output):
            if n == old:
                node.output[i] = new


def convert(src, dst, dtype, external=False):
    to = TYPES[dtype]
    m = onnx.load(src)
    g = m.graph
    head, keep = [], []
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT and int(np.prod(init.dims)) > 16:
            stored = stored_weight(init, dtype)
            keep.append(stored)
            head.append(helper.make_node("Cast", [stored.name], [init.name], to=TensorProto.FLOAT,
                                         name=init.name + "_cast"))
        else:
            keep.append(init)
    del g.initializer[:]
    g.initializer.extend(keep)
    for value in g.input:
        t = value.type.tensor_type
        if t.elem_type == TensorProto.FLOAT and value.name not in KEEP_FLOAT32:
            inner = value.name + "_float32"
            rename_everywhere(g, value.name, inner)
            head.append(helper.make_node("Cast", [value.name], [inner], to=TensorProto.FLOAT,
                                         name=value.name + "_in_cast"))
            t.elem_type = to
    tail = []
    for value in g.output:
        t = value.type.tensor_type
        if t.elem_type == TensorProto.FLOAT:
            inner = value.name + "_float32"
            rename_everywhere(g, value.name, inner)
            tail.append(helper.make_node("Cast", [inner], [value.name], to=to, name=value.name + "_out_cast"))
            t.elem_type = to
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(head + nodes + tail)
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    data = os.path.join(os.path.dirname(os.path.abspath(dst)), "model.onnx_data")
    if os.path.exists(data):
        os.remove(data)
    if external:
        onnx.save_model(m, dst, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx_data", size_threshold=1024)
    else:
        onnx.save_model(m, dst)
    onnx.checker.check_model(dst)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3 or args[2] not in TYPES:
        sys.exit(__doc__)
    convert(args[0], args[1], args[2], "--external-data" in sys.argv)
