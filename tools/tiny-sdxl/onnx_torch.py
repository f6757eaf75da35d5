"""Evaluates a small ONNX graph with PyTorch ops (float32, CPU): just the operators of the SD demo's VAE graphs
(models/demo/vae_decoder, vae_encoder), each checked for the attributes it uses.

Python here has no onnxruntime, and the demo VAE's PyTorch weights are not kept, so the reference pipeline decodes
and encodes through the committed graphs this way; tools/tiny-sdxl/OrtCheck.java then holds these results against
ONNX Runtime itself.
"""
import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _ints(t):
    return [int(v) for v in t.reshape(-1).tolist()]


def _conv(x, w, b, a):
    k = list(w.shape[2:])
    assert a.get("kernel_shape", k) == k and a.get("group", 1) == 1 and a.get("dilations", [1, 1]) == [1, 1]
    pads = a.get("pads", [0, 0, 0, 0])
    assert pads[0] == pads[2] and pads[1] == pads[3] and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
    return F.conv2d(x, w, b, stride=a.get("strides", [1, 1]), padding=(pads[0], pads[1]))


def _instance_norm(x, scale, bias, a):
    return F.instance_norm(x, weight=scale, bias=bias, eps=a.get("epsilon", 1e-5))


def _resize(x, roi, scales, sizes, a):
    assert a.get("mode") == b"nearest" and a.get("coordinate_transformation_mode") == b"asymmetric"
    assert a.get("nearest_mode") == b"floor" and sizes is None
    s = scales.tolist()
    assert s[0] == 1 and s[1] == 1
    # nearest, asymmetric, floor = torch's "nearest" (source index floor(dst / scale))
    return F.interpolate(x, scale_factor=(s[2], s[3]), mode="nearest")


def _depth_to_space(x, a):
    assert a.get("mode") == b"CRD"
    return F.pixel_shuffle(x, a["blocksize"])     # CRD is PixelShuffle's channel order


def _reshape(x, shape, a):
    assert a.get("allowzero", 0) == 0
    dims = [x.shape[i] if d == 0 else d for i, d in enumerate(_ints(shape))]
    return x.reshape(dims)


OPS = {
    "Add": lambda a, x, y: x + y,
    "Mul": lambda a, x, y: x * y,
    "Sigmoid": lambda a, x: torch.sigmoid(x),
    "Conv": lambda a, x, w, b=None: _conv(x, w, b, a),
    "InstanceNormalization": lambda a, x, s, b: _instance_norm(x, s, b, a),
    "Reshape": lambda a, x, s: _reshape(x, s, a),
    "Shape": lambda a, x: torch.tensor(list(x.shape), dtype=torch.int64),
    "Resize": lambda a, x, roi=None, scales=None, sizes=None: _resize(x, roi, scales, sizes, a),
    "DepthToSpace": lambda a, x: _depth_to_space(x, a),
    "Transpose": lambda a, x: x.permute(*a["perm"]),
    "Unsqueeze": lambda a, x, axes: _unsqueeze(x, _ints(axes)),
    "Squeeze": lambda a, x, axes: _squeeze(x, _ints(axes)),
}


def _unsqueeze(x, axes):
    for ax in sorted(a % (x.dim() + len(axes)) for a in axes):
        x = x.unsqueeze(ax)
    return x


def _squeeze(x, axes):
    for ax in sorted((a % x.dim() for a in axes), reverse=True):
        x = x.squeeze(ax)
    return x


class OnnxGraph:
    def __init__(self, path):
        self.model = onnx.load(path)
        g = self.model.graph
        self.inputs = [i.name for i in g.input]
        self.outputs = [o.name for o in g.output]
        self.init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in g.initializer}
        unknown = {n.op_type for n in g.node} - set(OPS) - {"Constant"}
        if unknown:
            raise NotImplementedError(f"{path}: operators {sorted(unknown)}")

    def __call__(self, **feeds):
        env = dict(self.init)
        env.update({k: torch.as_tensor(v) for k, v in feeds.items()})
        for node in self.model.graph.node:
            a = _attrs(node)
            if node.op_type == "Constant":
                out = torch.from_numpy(np.array(numpy_helper.to_array(a["value"])).copy())
            else:
                args = [env[n] if n else None for n in node.input]
                out = OPS[node.op_type](a, *args)
            env[node.output[0]] = out
        return {name: env[name] for name in self.outputs}
