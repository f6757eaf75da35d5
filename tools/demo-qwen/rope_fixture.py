"""Writes tools/demo-qwen/rope-fixture.json: the transformer's rotary tables for 64x64 and 96x64 pictures and 12
text tokens. Two independent computations must agree before anything is written:
  a) qwen_modules.qwen_rope_tables (what training, sampling and export use);
  b) a re-expression of diffusers' QwenEmbedRope as its code does it: complex pos/neg tables over 4096 positions
     (torch.polar), split per axis, negative rows taken from the end of the neg table, text rows from
     pos_freqs[max_vid_index : max_vid_index + L_txt].
"""
import json
import os

import torch

import qwen_modules as qm

HERE = os.path.dirname(os.path.abspath(__file__))
AXES, THETA = (8, 12, 12), 10000


def diffusers_like(frame, height, width, txt_len, axes=AXES, theta=THETA):
    def rope_params(index, dim):
        freqs = torch.outer(index, 1.0 / torch.pow(theta, torch.arange(0, dim, 2).to(torch.float32).div(dim)))
        return torch.polar(torch.ones_like(freqs), freqs)

    pos_index = torch.arange(4096)
    neg_index = torch.arange(4096).flip(0) * -1 - 1
    pos = torch.cat([rope_params(pos_index, d) for d in axes], dim=1)
    neg = torch.cat([rope_params(neg_index, d) for d in axes], dim=1)
    fp, fn = pos.split([d // 2 for d in axes], dim=1), neg.split([d // 2 for d in axes], dim=1)
    f = fp[0][0:frame].view(frame, 1, 1, -1).expand(frame, height, width, -1)
    hh = torch.cat([fn[1][-(height - height // 2):], fp[1][:height // 2]], 0).view(1, height, 1, -1)
    ww = torch.cat([fn[2][-(width - width // 2):], fp[2][:width // 2]], 0).view(1, 1, width, -1)
    img = torch.cat([f, hh.expand(frame, height, width, -1), ww.expand(frame, height, width, -1)], -1)
    img = img.reshape(frame * height * width, -1)
    m = max(height // 2, width // 2)
    txt = pos[m:m + txt_len]
    return img, txt


def main():
    cases = []
    for hpx, wpx in ((64, 64), (96, 64)):
        fhw = (1, hpx // 16, wpx // 16)
        (ic, is_), (tc, ts) = qm.qwen_rope_tables(*fhw, 12, AXES, THETA)
        di, dt = diffusers_like(*fhw, 12)
        for a, b in ((ic, di.real), (is_, di.imag), (tc, dt.real), (ts, dt.imag)):
            err = float((a - b).abs().max())
            assert a.shape == b.shape and err < 1e-6, (a.shape, b.shape, err)
        r = lambda t: [[float(f"{v:.8g}") for v in row] for row in t.tolist()]
        cases.append({"height": hpx, "width": wpx, "img_shape": list(fhw), "txt_len": 12,
                      "text_start": max(fhw[1] // 2, fhw[2] // 2),
                      "image_cos": r(ic), "image_sin": r(is_), "text_cos": r(tc), "text_sin": r(ts)})
        print(f"{hpx}x{wpx}: image {tuple(ic.shape)}, text {tuple(tc.shape)}; the two computations agree")
    doc = {"about": "diffusers QwenEmbedRope tables (real = cos, imag = sin of the angles), float32 rounded to 8 "
                    "significant digits; rows: image tokens in packed order (frame, row, column), then text tokens; "
                    "columns: head_dim / 2 angles, axes_dims_rope[0] / 2 frame, then height, then width; applied "
                    "to adjacent pairs (2i, 2i + 1) of each head's query and key",
           "theta": THETA, "axes_dims_rope": list(AXES), "scale_rope": True, "head_dim": sum(AXES), "cases": cases}
    with open(os.path.join(HERE, "rope-fixture.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
