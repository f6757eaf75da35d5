"""The pieces of tools/tiny-flow-common the SD3 fixture uses, in one place: the tiny T5 encoder and its tokenizer
(text_encoder_3 / tokenizer_3), the 16-channel VAE (vae_decoder / vae_encoder with SD3's scaling and shift), and
tiny-sdxl's modules by name. The graphs are copied from tools/tiny-flow-common/out/ (tools/tiny-flow-common/build.sh
export writes it), never re-exported here.
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COMMON = os.path.abspath(os.path.join(HERE, "..", "tiny-flow-common"))
sys.path.insert(0, COMMON)
import flow_export  # noqa: E402
import t5_encoder  # noqa: E402
import t5_reference  # noqa: E402
import vae16  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
T5_TOKENIZER = os.path.join(REPO, "src", "test", "resources", "tokenizer", "t5")
T5_TOKENIZER_FILES = ("spiece.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
OUT = os.path.join(COMMON, "out")

sdxl_module = flow_export.sdxl_module
same_weights = flow_export.same_weights
build_t5 = t5_encoder.build_t5_encoder
build_vae = vae16.build_vae
vae_decoder_graph = vae16.VaeDecoderGraph
vae_encoder_graph = vae16.VaeEncoderGraph


def t5_tokenizer(folder):
    """tokenizer_3(prompt, padding="max_length", max_length=L, truncation=True): the slow T5Tokenizer's rule that
    tools/tiny-flow-common takes as its reference (python-sentencepiece on spiece.model)."""
    return t5_reference.SlowT5(folder)


def _require(path):
    if not os.path.isfile(path):
        sys.exit(f"{path} is missing: run tools/tiny-flow-common/build.sh first")
    return path


def write_t5(encoder_folder, tokenizer_folder):
    os.makedirs(encoder_folder)
    for f in ("model.onnx", "config.json"):
        shutil.copyfile(_require(os.path.join(OUT, "text_encoder_t5", f)), os.path.join(encoder_folder, f))
    os.makedirs(tokenizer_folder)
    for f in T5_TOKENIZER_FILES:
        shutil.copyfile(_require(os.path.join(T5_TOKENIZER, f)), os.path.join(tokenizer_folder, f))


def write_vae(model_folder, write_json):
    """vae_decoder/ and vae_encoder/: the shared graphs byte for byte, config.json = vae16.vae_config("sd3")."""
    for part in ("vae_decoder", "vae_encoder"):
        os.makedirs(os.path.join(model_folder, part))
        shutil.copyfile(_require(os.path.join(OUT, part, "model.onnx")), os.path.join(model_folder, part, "model.onnx"))
        write_json(os.path.join(model_folder, part, "config.json"), vae16.vae_config("sd3"))
