"""Step 1: synthetic pictures (with their shape, colours, size and offset) and the caption vocabulary.

Writes work/data.npz (not committed) and models/demo/tokenizer/ (committed).
"""
import json
import os
import sys
import time

import numpy as np

import demo_common as dc

N = int(os.environ.get("DEMO_IMAGES", "40000"))


def write_tokenizer(folder):
    os.makedirs(folder, exist_ok=True)
    merges = dc.learn_bpe(dc.all_caption_words())
    base = list(dc.bytes_to_unicode().values())
    vocab = base + [b + "</w>" for b in base] + ["".join(m) for m in merges] + [dc.BOS, dc.EOS]
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({tok: i for i, tok in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    special = {"bos_token": dc.BOS, "eos_token": dc.EOS, "unk_token": dc.EOS, "pad_token": dc.EOS}
    with open(os.path.join(folder, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2)
    config = dict(special, tokenizer_class="CLIPTokenizer", model_max_length=dc.MAX_TOKENS,
                  do_lower_case=True, errors="replace", add_prefix_space=False, clean_up_tokenization_spaces=True)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return len(vocab), len(merges)


def main():
    t0 = time.time()
    os.makedirs(dc.WORK, exist_ok=True)
    tok_dir = os.path.join(dc.MODEL_DIR, "tokenizer")
    size, n_merges = write_tokenizer(tok_dir)
    tok = dc.ClipBpeTokenizer(tok_dir)
    for w in sorted(set(dc.all_caption_words())):
        assert len(tok.ids(w)) == 1, w          # every caption word is one token
    print(f"vocabulary: {size} tokens, {n_merges} merges; e.g. {tok('a red circle on a blue background')[:10]}")

    rng = np.random.default_rng(1234)
    shape = rng.integers(0, 3, N)
    fg = rng.integers(0, 8, N)
    bg = (fg + rng.integers(1, 8, N)) % 8          # any colour but the foreground's
    diameter = rng.integers(28, 53, N)
    dx, dy = rng.integers(-4, 5, N), rng.integers(-4, 5, N)
    images = np.empty((N, dc.SIZE, dc.SIZE, 3), np.uint8)
    for i in range(N):
        images[i] = dc.render(dc.SHAPES[shape[i]], dc.COLOUR_NAMES[fg[i]], dc.COLOUR_NAMES[bg[i]],
                              int(diameter[i]), int(dx[i]), int(dy[i]))
    np.savez(os.path.join(dc.WORK, "data.npz"), images=images, shape=shape, fg=fg, bg=bg)
    print(f"{N} pictures in {time.time() - t0:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
