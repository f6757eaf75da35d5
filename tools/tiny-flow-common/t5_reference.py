"""Reference T5 token ids for the tiny T5 tokenizer (src/test/resources/tokenizer/t5/), from two implementations:

- python-sentencepiece on spiece.model, as transformers' slow T5Tokenizer (legacy) uses it: the text is split on
  the added tokens (<pad>, </s>, <unk>, <extra_id_N>: each one id), every other segment goes through
  SentencePieceProcessor.encode, and </s> (1) is appended unless the ids already end with it
  (T5Tokenizer._add_eos_if_not_present); with truncation the pieces are cut to max_length - 1 before the EOS;
- transformers.js (@huggingface/transformers 4.3.1) reading tokenizer.json (t5_reference.mjs, run here with node).

    /usr/bin/python3 tools/tiny-flow-common/t5_reference.py [tokenizer-folder]
    (needs `npm ci --ignore-scripts` in tools/tiny-flow-common once)

Writes reference-ids.json in the folder: per prompt `ids` (all ids, EOS included), `ids_256` and `ids_512` as
diffusers' FluxPipeline / StableDiffusion3Pipeline call the tokenizer (`padding="max_length", max_length=L,
truncation=True, add_special_tokens=True`), `pieces` (the count without EOS), and `agree`; where transformers.js
differs, its differing lists under `transformers_js` and the kinds of difference under `differences`. SentencePiece (the slow
T5Tokenizer's rules) is the reference.
"""
import json
import os
import subprocess
import sys

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FOLDER = os.path.join(REPO, "src", "test", "resources", "tokenizer", "t5")
LENGTHS = (256, 512)


class SlowT5:
    """T5Tokenizer (legacy=True) on spiece.model: added tokens split out first, SentencePiece on the rest."""

    def __init__(self, folder):
        self.sp = spm.SentencePieceProcessor(model_file=os.path.join(folder, "spiece.model"))
        tj = json.load(open(os.path.join(folder, "tokenizer.json"), encoding="utf-8"))
        self.added = {t["content"]: t["id"] for t in tj["added_tokens"]}
        self.eos, self.pad = self.added["</s>"], self.added["<pad>"]

    def pieces(self, text):
        # lone surrogates cannot be UTF-8: replaced by U+FFFD, as Node's (and Java's) UTF-8 encoders do
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        ids, i, start = [], 0, 0
        while i < len(text):
            hit = next((t for t in sorted(self.added, key=len, reverse=True) if text.startswith(t, i)), None)
            if hit is None:
                i += 1
                continue
            if i > start:
                ids += self.sp.encode(text[start:i])
            ids.append(self.added[hit])
            i = start = i + len(hit)
        if start < len(text):
            ids += self.sp.encode(text[start:])
        return ids

    def with_eos(self, ids):
        return ids if ids and ids[-1] == self.eos else ids + [self.eos]

    def __call__(self, text, max_length=None):
        ids = self.pieces(text)
        if max_length is None:
            return self.with_eos(ids)
        # truncation: room for the one special token (num_special_tokens_to_add), then pad on the right
        ids = self.with_eos(ids[: max_length - 1]) if not (ids and ids[-1] == self.eos and len(ids) <= max_length) \
            else ids
        return ids + [self.pad] * (max_length - len(ids))


def transformers_js(folder):
    npm_dir = HERE
    if not os.path.isdir(os.path.join(npm_dir, "node_modules", "@huggingface", "transformers")):
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=npm_dir, check=True)
    out = subprocess.run(["node", os.path.join(HERE, "t5_reference.mjs"), folder], check=True, capture_output=True)
    return json.loads(out.stdout.decode("utf-8", "surrogatepass"))


WHITESPACE = ("whitespace: SentencePiece (remove_extra_whitespaces) drops trailing whitespace; tokenizer.json's "
              "Precompiled + Replace(' {2,}' -> ' ') + Metaspace keeps a trailing space as a '\u2581' piece (id 3)")
SPECIAL = ("special-token text: the slow tokenizer strips the space before a split-out added token (SentencePiece per "
           "segment), tokenizer.json's pipeline keeps it as a '\u2581' piece; T5Tokenizer adds no second </s> after a "
           "trailing '</s>', the template always adds one")
NORMALIZATION = ("normalization: transformers.js's Precompiled is NFKC plus fixed control/space rules (ZWJ, ZWNJ, "
                 "U+FFFD -> space), not the model's charsmap (which keeps them as unknown characters)")
TRUNCATION = ("truncation: transformers.js cuts the ids after </s> was added (its last id is a piece, not </s>); "
              "transformers' T5Tokenizer and T5TokenizerFast keep room for </s>, as ids_256 / ids_512 do")


def differences(prompt, case, js):
    """Why transformers.js differs (one entry per kind of difference found)."""
    notes = []
    if case["ids"] != js["ids"]:
        if any(t in prompt for t in ("<extra_id_", "</s>", "<pad>", "<unk>")):
            notes.append(SPECIAL)
        elif prompt != prompt.rstrip() or not prompt.strip():
            notes.append(WHITESPACE)
        else:
            notes.append(NORMALIZATION)
    for L in LENGTHS:
        full = js["ids"]
        if len(full) > L and js[f"ids_{L}"] == full[:L] and full[:L - 1] == case["ids"][:L - 1]:
            notes.append(TRUNCATION)
            break
    return notes


def main():
    folder = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else FOLDER)
    slow = SlowT5(folder)
    js = transformers_js(folder)
    cases, disagree, by_kind = [], [], {}
    for k, (prompt, jc) in enumerate(zip(js["prompts"], js["cases"])):
        pieces = slow.pieces(prompt)
        case = {"prompt": prompt, "pieces": len(pieces), "ids": slow(prompt)}
        for L in LENGTHS:
            case[f"ids_{L}"] = slow(prompt, L)
        same = all(case[key] == jc[key] for key in ("ids", "ids_256", "ids_512"))
        case["agree"] = same
        if not same:
            case["transformers_js"] = {key: jc[key] for key in ("ids", "ids_256", "ids_512") if jc[key] != case[key]}
            case["differences"] = differences(prompt, case, jc)
            kinds = {n.split(":")[0] for n in case["differences"]}
            by_kind.update({k: by_kind.get(k, 0) + 1 for k in kinds})
            disagree.append((k, prompt, case["ids"][:12], jc["ids"][:12]))
        cases.append(case)
    header = {
        "generator": "tools/tiny-flow-common/t5_reference.py: python-sentencepiece "
                     f"{spm.__version__} on spiece.model (T5Tokenizer's rules) = ids; compared with "
                     f"{js['generator']} on tokenizer.json",
        "prompts": "tools/qwen-tokenizer-reference/prompts.mjs (the first "
                   f"{js['shared_prompts']}) then t5_reference.mjs's t5Prompts",
        "eos_token_id": slow.eos, "pad_token_id": slow.pad, "unk_token_id": slow.added["<unk>"],
        "call": "tokenizer(prompt, padding='max_length', max_length=L, truncation=True, add_special_tokens=True) "
                "for ids_256 / ids_512 (diffusers FluxPipeline._get_t5_prompt_embeds, StableDiffusion3Pipeline); "
                "truncation keeps the first L - 1 ids, then </s>",
        "kinds": {"whitespace": WHITESPACE, "special-token text": SPECIAL, "normalization": NORMALIZATION,
                  "truncation": TRUNCATION},
        "agree": len(cases) - len(disagree), "disagree": len(disagree), "disagree_by_kind": by_kind,
    }
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in header.items()]
    body = ",\n".join("    " + json.dumps(c, ensure_ascii=True, separators=(",", ":")) for c in cases)
    lines.append(f'  "cases": [\n{body}\n  ]')
    path = os.path.join(folder, "reference-ids.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
    print(f"{len(cases)} prompts, {len(cases) - len(disagree)} agree, {len(disagree)} differ -> {path}")
    print(f"  differences by kind: {by_kind}")
    for k, prompt, a, b in disagree:
        kinds = ", ".join(n.split(":")[0] for n in cases[k]["differences"])
        print(f"  #{k} {prompt[:32]!r} [{kinds}]: sentencepiece {a} vs transformers.js {b}")


if __name__ == "__main__":
    main()
