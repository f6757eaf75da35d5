"""A random-weight AutoencoderKLQwenImage (the real Qwen-Image VAE's network, qwen_vae.py, at a small width) saved as
a diffusers-layout checkpoint, exported by export_qwen_image.py, with PyTorch's outputs for fixed inputs: the Java
engine's QwenVaeStages are held against them (QwenVaeArchitectureTest), so the real VAE's graph shape (5-D I/O,
mean ‖ log-variance, clamp, dynamic sizes) runs in the engine as PyTorch computes it.

  /usr/bin/python3 tools/qwen-export/make_vae_fixture.py   -> src/test/resources/models/qwen-vae-arch/
"""
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_qwen_image as exporter  # noqa: E402
import qwen_vae  # noqa: E402
import safetensors_io  # noqa: E402

OUT = os.path.join(HERE, "..", "..", "src", "test", "resources", "models", "qwen-vae-arch")
CONFIG = {"_class_name": "AutoencoderKLQwenImage", "_diffusers_version": "0.35.0", "base_dim": 8, "z_dim": 16,
          "dim_mult": [1, 2, 4, 4], "num_res_blocks": 1, "attn_scales": [], "temperal_downsample": [False, True, True],
          "dropout": 0.0}


def main():
    torch.set_num_threads(1)
    torch.manual_seed(11)
    vae = qwen_vae.AutoencoderKLQwenImage.from_config(CONFIG).eval()
    with torch.no_grad():
        for name, p in vae.named_parameters():
            if name.endswith("gamma"):          # default 1: perturbed so that the norms' scales are exercised
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
    with tempfile.TemporaryDirectory() as ckpt:
        os.makedirs(os.path.join(ckpt, "vae"))
        with open(os.path.join(ckpt, "vae", "config.json"), "w") as f:
            json.dump(CONFIG, f)
        safetensors_io.write(os.path.join(ckpt, "vae", "diffusion_pytorch_model.safetensors"),
                             {k: v.detach().numpy() for k, v in vae.state_dict().items()})
        shutil.rmtree(OUT, ignore_errors=True)
        exporter.export_vae(ckpt, OUT, "float32", False)
    g = torch.Generator().manual_seed(5)
    x = torch.rand(1, 3, 1, 48, 64, generator=g) * 2 - 1
    z = torch.randn(1, 16, 1, 6, 8, generator=g)
    with torch.no_grad():
        params = vae.encode_parameters(x)
        pixels = vae.decode(z)
    for name, t in (("encoder_in", x), ("encoder_out", params), ("decoder_in", z), ("decoder_out", pixels)):
        t.numpy().astype("<f4").tofile(os.path.join(OUT, f"{name}.bin"))
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("Random-weight AutoencoderKLQwenImage (base_dim 8, one residual block per level), made by "
                "tools/qwen-export/make_vae_fixture.py: the graphs as export_qwen_image.py writes them, and "
                "PyTorch's outputs for encoder_in (1, 3, 1, 48, 64) and decoder_in (1, 16, 1, 6, 8), float32 "
                "little-endian. Not a trained model.\n")
    print({k: os.path.getsize(os.path.join(OUT, k, "model.onnx")) for k in ("vae_encoder", "vae_decoder")})
    print("encoder_out", tuple(params.shape), "decoder_out", tuple(pixels.shape), float(pixels.min()),
          float(pixels.max()))


if __name__ == "__main__":
    main()
