"""CLIP's byte-to-printable-character table, shared by the demo-model tooling and tools/clip-vocab (no torch
needed here, so the vocabulary tool runs on any Python 3)."""


def bytes_to_unicode():
    """CLIP's reversible byte -> printable unicode table (openai clip/simple_tokenizer.py semantics)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))
