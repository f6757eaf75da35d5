"""The tiny random-weight 9-channel inpainting UNet: the SD demo's UNet architecture (tools/demo-model/demo_common.py,
`Unet`) at toy widths, with SD-1.5-inpainting's 9 input channels (4 noisy latents, 1 mask, 4 masked-image latents),
and the demo's text encoder rebuilt from its committed ONNX graph.

The demo's `Unet` has no in_channels parameter: `InpaintUnet` builds it and replaces its first convolution (same
attribute, so the parameter order and names stay the demo's: `conv_in.weight` is [16, 9, 3, 3]).
"""
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "demo-model"))
import demo_common as dc  # noqa: E402

SEED = 20260421
UNET = dict(in_channels=9, out_channels=4, ctx=64, ch=(16, 32, 32), emb=64, sample_size=8)


class InpaintUnet(dc.Unet):
    """demo_common.Unet(ctx=64, ch=(16, 32, 32), emb=64) with a 9-channel conv_in. forward(sample [B, 9, h, w],
    timestep (rank 0 or [1], broadcast over the batch), encoder_hidden_states [B, S, 64]) -> [B, 4, h, w]."""

    def __init__(self, cfg=UNET):
        super().__init__(ctx=cfg["ctx"], ch=cfg["ch"], emb=cfg["emb"])
        self.conv_in = nn.Conv2d(cfg["in_channels"], cfg["ch"][0], 3, padding=1)
        assert self.conv_out.out_channels == cfg["out_channels"]


def randomize(module, generator):
    """Random weights that keep activations of order one: fan-in scaled normal matrices and kernels, norms' scales
    1 +- 0.1 and their shifts +- 0.1, biases +- 0.1 (so a dropped bias or affine term changes the numbers), the
    pooling query N(0, 1). In the parameters' own order, from one generator: the same numbers every run."""
    norms = {n for n, m in module.named_modules() if isinstance(m, (nn.GroupNorm, nn.LayerNorm))}
    for name, p in module.named_parameters():
        owner, _, leaf = name.rpartition(".")
        with torch.no_grad():
            if owner in norms and leaf == "weight":
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=generator))
            elif p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=generator))
            elif name == "pool_query":
                p.copy_(torch.randn(p.shape, generator=generator))
            else:
                p.copy_(torch.randn(p.shape, generator=generator) / math.sqrt(p[0].numel()))
    return module


def build_unet():
    return randomize(InpaintUnet(), torch.Generator().manual_seed(SEED)).eval()


def count_params(m):
    return sum(p.numel() for p in m.parameters())


def text_encoder_from_onnx(path, vocab_size):
    """demo_common.TextEncoder with the weights of the demo's exported graph: the named initializers by name, and the
    four Linear weights per layer that torch.onnx stored transposed under anonymous names (onnx::MatMul_*), in the
    order the graph's MatMul nodes use them (layer by layer: qkv, o, ff.0, ff.2). Exact copies, no arithmetic."""
    model = onnx.load(path)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    te = dc.TextEncoder(vocab_size).eval()
    state = te.state_dict()
    loaded = {}
    for name in state:
        if name in inits:
            loaded[name] = torch.from_numpy(inits[name].copy())
    matmuls = [n.input[1] for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in inits]
    linears = [f"layers.{i}.{m}.weight" for i in range(len(te.layers)) for m in ("qkv", "o", "ff.0", "ff.2")]
    assert len(matmuls) == len(linears), (matmuls, linears)
    for name, init in zip(linears, matmuls):
        w = torch.from_numpy(np.ascontiguousarray(inits[init].T))
        assert w.shape == state[name].shape, (name, init, w.shape, state[name].shape)
        loaded[name] = w
    missing = set(state) - set(loaded)
    assert not missing, missing
    te.load_state_dict(loaded)
    return te


if __name__ == "__main__":
    print("unet parameters", count_params(build_unet()))
