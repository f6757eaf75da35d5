"""Trains the tiny T5 tokenizer (a SentencePiece Unigram model with T5's spiece.model settings) on a generated corpus of
English image prompts, and writes it in the four files of a T5 tokenizer folder:

    /usr/bin/python3 tools/tiny-flow-common/t5_tokenizer.py [output-folder]   (default src/test/resources/tokenizer/t5)

- spiece.model: SentencePiece Unigram, 600 pieces, `<pad>` 0, `</s>` 1, `<unk>` 2, no BOS, nmt_nfkc normalization,
  add_dummy_prefix, remove_extra_whitespaces, no byte fallback (T5's spiece.model settings, at a toy size);
- tokenizer.json: what transformers' T5Converter (convert_slow_tokenizer.py: SpmConverter + T5Converter.vocab /
  post_processor) writes for it: Precompiled(charsmap of the model) + Replace(" {2,}" -> " "), Metaspace("▁",
  prepend_scheme "always", split), Unigram vocab [[piece, score]] with the extra ids appended (score 0.0, in T5's
  order: <extra_id_9> first, <extra_id_0> last), TemplateProcessing "$A </s>" / "$A </s> $B </s>", Metaspace decoder,
  added tokens <pad>, </s>, <unk> and the extra ids;
- tokenizer_config.json (T5TokenizerFast, model_max_length 512, extra_ids 10) and special_tokens_map.json.

Deterministic: the corpus comes from a seeded generator, training runs on one thread with no input shuffling.
Requires Debian's python3-sentencepiece (and python3-protobuf, which it pulls in).
"""
import base64
import io
import json
import os
import random
import sys

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as model_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "src", "test", "resources", "tokenizer", "t5")

VOCAB_SIZE = 600          # SentencePiece pieces (ids 0..599); T5: 32000
EXTRA_IDS = 10            # <extra_id_0..9> appended after the pieces (ids 600..609); T5: 100 (32000..32099)
PAD, EOS, UNK = "<pad>", "</s>", "<unk>"
MODEL_MAX_LENGTH = 512
CORPUS_SEED = 20260420

# ---- the corpus: English image prompts, with some accents, digits, punctuation and full-width text ----------------
SUBJECTS = """cat dog fox horse bird owl eagle dragon robot astronaut knight wizard princess sailor fisherman farmer
child woman man girl boy girl's grandmother lighthouse castle cathedral village city street bridge mountain river lake
ocean forest desert island garden field meadow waterfall volcano glacier cave temple tower house cabin cottage ship boat
train car bicycle motorcycle airplane balloon rocket planet moon sun star galaxy nebula flower rose tulip sunflower tree
oak pine cherry blossom mushroom apple orange lemon strawberry cake bread coffee teacup bowl ramen sushi pizza burger
book lamp candle clock mirror window door chair table guitar piano violin camera telescope map compass sword shield
crown necklace ring mask umbrella hat boots jacket dress kimono samurai ninja pirate viking monk dancer musician painter
chef scientist doctor teacher soldier queen king angel demon ghost zombie vampire werewolf unicorn phoenix griffin
mermaid octopus whale dolphin shark turtle frog butterfly bee spider snake lion tiger bear wolf deer rabbit squirrel
penguin panda koala elephant giraffe zebra monkey parrot peacock swan""".split()
ADJECTIVES = """red blue green yellow orange purple pink black white golden silver bronze crimson azure emerald
turquoise violet pastel vivid muted dark bright glowing shiny rusty ancient futuristic modern medieval tiny huge giant
small large old young happy sad angry calm serene mysterious magical enchanted haunted abandoned ruined cozy warm cold
frozen snowy rainy foggy misty stormy sunny cloudy dusty wet dry wooden metallic glass crystal stone marble paper
velvet silk leather fluffy furry feathered scaly smooth rough detailed intricate minimalist elegant ornate rustic
vintage retro neon cyberpunk steampunk gothic baroque surreal whimsical dreamy cinematic dramatic epic""".split()
STYLES = """photo photograph painting watercolor sketch drawing illustration render oil acrylic pastel charcoal ink
pencil digital concept art anime manga cartoon comic poster portrait landscape still life macro shot close-up
wide-angle panorama isometric pixel voxel low-poly 3D sculpture mosaic stained glass tapestry woodcut engraving
lithograph photorealistic hyperrealistic impressionist expressionist cubist abstract pop""".split()
PLACES = """on the moon|in a forest|by the sea|at night|at sunset|at dawn|in the rain|under the stars|in a city street|
on a mountain top|in a desert|in the snow|in a library|in a kitchen|on a beach|in space|under water|in a garden|
in a cafe|on a rooftop|in a castle|near a river|in a field of flowers|inside a cave""".replace("\n", "").split("|")
EXTRAS = """highly detailed|8k|4K|ultra realistic|sharp focus|soft lighting|studio lighting|volumetric light|
golden hour|bokeh|depth of field|trending on artstation|octane render|unreal engine|matte painting|
award-winning photograph|35mm film|f/1.8|ISO 100|shot on Kodak Portra 400|by Claude Monet|by Hokusai|
in the style of Studio Ghibli|Art Nouveau|Art Déco|high contrast|rule of thirds|symmetrical composition|
centered|top-down view|bird's-eye view|from below|1920s|1980s|year 2077|no text|blurry background""".replace(
    "\n", "").split("|")
ACCENTED = """café crème brûlée naïve façade résumé piñata jalapeño fiancée déjà vu São Paulo Zürich Málaga Kraków
Reykjavík Bogotá Montréal Besançon Göteborg Ærøskøbing smörgåsbord über Straße Mädchen Brötchen Ålesund señorita
coração niño élégant garçon château forêt rêve""".split()
FULLWIDTH = ["ＡＢＣ", "ｆｕｌｌ－ｗｉｄｔｈ", "１２３", "（ｔｅｘｔ）", "ｃａｔ", "！？"]
NUMBERS = ["1", "2", "3", "10", "12", "24", "42", "100", "256", "512", "1024", "2024", "2025", "3.5", "0.5", "50%",
           "$20", "#1", "No. 7", "v2", "x2", "16:9", "4:3", "1/2"]
PUNCTUATION = [",", ",", ",", ".", "!", "?", ";", ":", " -", " —", " (", ")", "\"", "'", "...", " &", " /", " +"]
TEMPLATES = [
    "a {adj} {subj} {place}",
    "a {style} of a {adj} {subj} {place}, {extra}",
    "{adj} {subj}, {style}, {extra}, {extra}",
    "portrait of a {adj} {subj}, {extra}",
    "A {adj} {subj} and a {adj} {subj} {place}",
    "{style} of {num} {adj} {subj}s {place}",
    "the {subj} of {acc}, {adj} and {adj}, {extra}",
    "a sign that says \"{word}\" {place}",
    "{subj} with a {adj} {subj}{punct} {extra}",
    "{full} {adj} {subj} {place}",
    "an {adj} {subj} eating {acc} {place}",
    "{Subj} {place}{punct} {style}, {num} {extra}",
]


def corpus_lines(n=6000):
    """n prompts from the templates, drawn with a seeded generator (same lines every run)."""
    rng = random.Random(CORPUS_SEED)
    lines = []
    for _ in range(n):
        t = rng.choice(TEMPLATES)
        fields = dict(adj=None)
        out = []
        for chunk in t.split("{"):
            if "}" not in chunk:
                out.append(chunk)
                continue
            key, rest = chunk.split("}", 1)
            value = {
                "adj": lambda: rng.choice(ADJECTIVES), "subj": lambda: rng.choice(SUBJECTS),
                "Subj": lambda: rng.choice(SUBJECTS).capitalize(), "style": lambda: rng.choice(STYLES),
                "place": lambda: rng.choice(PLACES), "extra": lambda: rng.choice(EXTRAS),
                "acc": lambda: rng.choice(ACCENTED), "full": lambda: rng.choice(FULLWIDTH),
                "num": lambda: rng.choice(NUMBERS), "punct": lambda: rng.choice(PUNCTUATION),
                "word": lambda: rng.choice(["OPEN", "Hello World", "SALE 50%", "Café", "No Parking", "2025"]),
            }[key]()
            out.append(value + rest)
        del fields
        lines.append("".join(out))
    return lines


def train():
    """The SentencePiece model, as serialized bytes."""
    writer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus_lines()), model_writer=writer,
        model_type="unigram", vocab_size=VOCAB_SIZE,
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece=PAD, eos_piece=EOS, unk_piece=UNK,
        normalization_rule_name="nmt_nfkc", add_dummy_prefix=True, remove_extra_whitespaces=True,
        character_coverage=1.0, byte_fallback=False, split_digits=False,
        num_threads=1, input_sentence_size=0, shuffle_input_sentence=False, minloglevel=2)
    return writer.getvalue()


# ---- the HF tokenizers files (as transformers' T5Converter writes them) -------------------------------------------
def extra_tokens():
    """T5's order: <extra_id_{N-1}> right after the pieces, <extra_id_0> last."""
    return [f"<extra_id_{i}>" for i in range(EXTRA_IDS - 1, -1, -1)]


def added_token(i, content):
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def metaspace():
    return {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}


def tokenizer_json(proto):
    pieces = [[p.piece, p.score] for p in proto.pieces]
    assert [p[0] for p in pieces[:3]] == [PAD, EOS, UNK]
    n = len(pieces)
    vocab = pieces + [[t, 0.0] for t in extra_tokens()]
    added = [added_token(0, PAD), added_token(1, EOS), added_token(2, UNK)]
    added += [added_token(n + k, t) for k, t in enumerate(extra_tokens())]
    seq = lambda name: {"Sequence": {"id": name, "type_id": 0}}          # noqa: E731
    eos = {"SpecialToken": {"id": EOS, "type_id": 0}}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled",
             "precompiled_charsmap": base64.b64encode(proto.normalizer_spec.precompiled_charsmap).decode("ascii")},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": metaspace(),
        "post_processor": {"type": "TemplateProcessing", "single": [seq("A"), eos], "pair": [seq("A"), eos, seq("B"), eos],
                           "special_tokens": {EOS: {"id": EOS, "ids": [1], "tokens": [EOS]}}},
        "decoder": metaspace(),
        "model": {"type": "Unigram", "unk_id": proto.trainer_spec.unk_id, "vocab": vocab, "byte_fallback": False},
    }


def tokenizer_config(n):
    decoder = {str(t["id"]): {k: v for k, v in t.items() if k != "id"}
               for t in [added_token(0, PAD), added_token(1, EOS), added_token(2, UNK)]
               + [added_token(n + k, t) for k, t in enumerate(extra_tokens())]}
    return {
        "added_tokens_decoder": decoder,
        "additional_special_tokens": [f"<extra_id_{i}>" for i in range(EXTRA_IDS)],
        "clean_up_tokenization_spaces": True,
        "eos_token": EOS,
        "extra_ids": EXTRA_IDS,
        "legacy": True,
        "model_max_length": MODEL_MAX_LENGTH,
        "pad_token": PAD,
        "sp_model_kwargs": {},
        "tokenizer_class": "T5TokenizerFast",
        "unk_token": UNK,
    }


def special_tokens_map():
    tok = lambda c: {"content": c, "lstrip": False, "normalized": False, "rstrip": False,    # noqa: E731
                     "single_word": False}
    return {"additional_special_tokens": [f"<extra_id_{i}>" for i in range(EXTRA_IDS)],
            "eos_token": tok(EOS), "pad_token": tok(PAD), "unk_token": tok(UNK)}


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    os.makedirs(out, exist_ok=True)
    data = train()
    proto = model_pb2.ModelProto()
    proto.ParseFromString(data)
    ts, ns = proto.trainer_spec, proto.normalizer_spec
    assert ts.model_type == model_pb2.TrainerSpec.UNIGRAM and len(proto.pieces) == VOCAB_SIZE
    assert (ts.pad_id, ts.eos_id, ts.unk_id, ts.bos_id) == (0, 1, 2, -1)
    assert ns.name == "nmt_nfkc" and ns.add_dummy_prefix and ns.remove_extra_whitespaces
    with open(os.path.join(out, "spiece.model"), "wb") as f:
        f.write(data)
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json(proto))
    write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config(len(proto.pieces)))
    write_json(os.path.join(out, "special_tokens_map.json"), special_tokens_map())
    sp = spm.SentencePieceProcessor(model_proto=data)
    sample = "a photo of a cat, highly detailed"
    print(f"spiece.model {len(data)} bytes, {sp.get_piece_size()} pieces + {EXTRA_IDS} extra ids -> {out}; "
          f"{sample!r}: {sp.encode(sample, out_type=str)}")


if __name__ == "__main__":
    main()
