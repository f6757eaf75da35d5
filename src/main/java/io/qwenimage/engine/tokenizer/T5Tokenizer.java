package io.qwenimage.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * T5's tokenizer (SentencePiece Unigram; the text encoder of SD3 and FLUX), as diffusers calls it:
 * {@code tokenizer(prompt, padding="max_length", max_length=L, truncation=True)} — the pieces, {@code </s>}, then
 * {@code <pad>} up to L; a longer prompt keeps its first L - 1 pieces and the {@code </s>}. The tokenizer is Hugging
 * Face's Rust library (through DJL) reading the folder's {@code tokenizer.json}, which transformers writes next to
 * {@code spiece.model} when it saves a T5 tokenizer (T5TokenizerFast) and optimum copies into its exports.
 *
 * <p>Encoding is thread-safe; {@link #close()} frees the native tokenizer once nothing encodes any more.
 */
public final class T5Tokenizer implements AutoCloseable {

    /** The longest text FLUX.1-dev and SD3 read ({@code max_sequence_length} 512). */
    public static final int MAX_LENGTH = 512;

    private final HuggingFaceTokenizer tokenizer;
    private final long padId;
    private final long eosId;

    private T5Tokenizer(HuggingFaceTokenizer tokenizer, Path source, String padToken, String eosToken) {
        this.tokenizer = tokenizer;
        this.padId = singleId(padToken, source);
        this.eosId = singleId(eosToken, source);
        long[] empty = pieces("");
        if (empty.length != 1 || empty[0] != eosId) {
            throw ModelException.of(source, "does not end a text with " + eosToken + " (the empty text gives "
                    + Arrays.toString(empty) + "): not a T5 tokenizer.json (its post_processor must append it)");
        }
    }

    /**
     * Opens a T5 tokenizer folder. A missing or malformed file is a {@link ModelException} naming it.
     *
     * @param folder e.g. FLUX's {@code tokenizer_2/} or SD3's {@code tokenizer_3/}
     */
    public static T5Tokenizer load(Path folder) {
        Path json = folder.resolve("tokenizer.json");
        if (!Files.exists(json)) {
            if (Files.exists(folder.resolve("spiece.model"))) {
                throw ModelException.of(json, "is missing: this folder has only spiece.model (the slow T5 "
                        + "tokenizer); save it once with transformers' T5TokenizerFast (save_pretrained writes "
                        + "tokenizer.json) — see docs/model-formats.md");
            }
            throw ModelException.of(json, "is missing");
        }
        var config = JsonFiles.readOptional(folder.resolve("tokenizer_config.json"));
        String pad = HuggingFaceTokenizers.specialToken(folder, config, "pad_token", "<pad>");
        String eos = HuggingFaceTokenizers.specialToken(folder, config, "eos_token", "</s>");
        HuggingFaceTokenizer hf = HuggingFaceTokenizers.open(json, HuggingFaceTokenizers.readString(json));
        try {
            return new T5Tokenizer(hf, json, pad, eos);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
    }

    /**
     * One prompt as the text encoder takes it: exactly {@code maxLength} ids.
     *
     * @param maxLength 1 to {@link #MAX_LENGTH}
     */
    public TokenizedPrompt encode(String prompt, int maxLength) {
        if (maxLength < 1 || maxLength > MAX_LENGTH) {
            throw new IllegalArgumentException("max_sequence_length must be 1.." + MAX_LENGTH + ": " + maxLength);
        }
        long[] all = pieces(prompt);
        int[] ids = new int[maxLength];
        Arrays.fill(ids, (int) padId);
        int kept = Math.min(all.length, maxLength);
        for (int i = 0; i < kept; i++) {
            ids[i] = (int) all[i];
        }
        String dropped = "";
        if (all.length > maxLength) {
            ids[maxLength - 1] = (int) eosId;
            dropped = tokenizer.decode(Arrays.copyOfRange(all, maxLength - 1, all.length - 1), true);
        }
        return new TokenizedPrompt(ids, kept, dropped);
    }

    /** The ids of a prompt with the closing {@code </s>}, no truncation or padding. */
    public long[] pieces(String prompt) {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt is null");
        }
        return tokenizer.encode(HuggingFaceTokenizers.wellFormed(prompt), true, false).getIds();
    }

    public long padId() {
        return padId;
    }

    public long eosId() {
        return eosId;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private long singleId(String token, Path source) {
        long[] ids;
        try {
            ids = tokenizer.encode(token, false, false).getIds();
        } catch (RuntimeException e) {
            throw ModelException.of(source, "cannot tokenize '" + token + "' (" + e.getMessage() + ")", e);
        }
        if (ids.length != 1) {
            throw ModelException.of(source, "'" + token + "' is not a single (added) token but " + ids.length);
        }
        return ids[0];
    }
}
