package io.qwenimage.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Qwen2.5's byte-level BPE tokenizer (the Qwen-Image family's text encoder) with Qwen-Image's prompt template, as
 * diffusers' {@code QwenImagePipeline} applies them. The tokenizer itself is Hugging Face's Rust library (through
 * DJL), reading a model's {@code tokenizer/} folder: {@code tokenizer.json}, or else the slow form
 * {@code vocab.json} + {@code merges.txt} + {@code tokenizer_config.json}, turned into the same tokenizer.json
 * transformers would build from it.
 *
 * <p>Each prompt is put into {@link #TEMPLATE_PREFIX} … {@link #TEMPLATE_SUFFIX} as plain text (special tokens
 * such as {@code <|im_end|>} are recognized wherever they appear, in the prompt too, as in diffusers). diffusers
 * tokenizes with {@code max_length = 1024 + 34} and truncation, drops the 34 prefix outputs of the encoder and cuts
 * the rest to {@code max_sequence_length}. The encoder is causal (an output depends only on the tokens before it),
 * so cutting the ids to {@code 34 + max_sequence_length} first gives the same embeddings for less work; that is what
 * {@link #encode(String, int)} returns. The cut may take the template's closing tokens with it, as in diffusers.
 *
 * <p>Encoding is thread-safe; {@link #close()} frees the native tokenizer once nothing encodes any more.
 */
public final class QwenTokenizer implements AutoCloseable {

    /** The template before the prompt: it must be exactly {@link #PREFIX_TOKENS} tokens. */
    public static final String TEMPLATE_PREFIX = "<|im_start|>system\nDescribe the image by detailing the color, shape,"
            + " size, texture, quantity, text, spatial relationships of the objects and background:<|im_end|>\n"
            + "<|im_start|>user\n";
    /** The template after the prompt. */
    public static final String TEMPLATE_SUFFIX = "<|im_end|>\n<|im_start|>assistant\n";
    /** diffusers' {@code prompt_template_encode_start_idx} ({@code drop_idx}). */
    public static final int PREFIX_TOKENS = 34;
    /** QwenImagePipeline's default {@code max_sequence_length}. */
    public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 512;
    /** The largest {@code max_sequence_length} diffusers accepts (also its tokenizer_max_length). */
    public static final int MAX_SEQUENCE_LENGTH = 1024;

    static final String END_OF_TEXT = "<|endoftext|>";
    static final String IM_START = "<|im_start|>";
    static final String IM_END = "<|im_end|>";
    private static final String TOKENIZER_JSON = "tokenizer.json";
    private static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private final HuggingFaceTokenizer tokenizer;
    private final long[] prefixIds;
    private final long[] suffixIds;
    private final long endOfTextId;
    private final long imStartId;
    private final long imEndId;
    private final long padId;

    private QwenTokenizer(HuggingFaceTokenizer tokenizer, Path source, String padToken) {
        this.tokenizer = tokenizer;
        this.endOfTextId = singleId(END_OF_TEXT, source);
        this.imStartId = singleId(IM_START, source);
        this.imEndId = singleId(IM_END, source);
        this.padId = singleId(padToken, source);
        this.prefixIds = tokens(TEMPLATE_PREFIX);
        this.suffixIds = tokens(TEMPLATE_SUFFIX);
        if (prefixIds.length != PREFIX_TOKENS) {
            throw ModelException.of(source, "Qwen-Image's template prefix is " + prefixIds.length + " tokens here, not "
                    + PREFIX_TOKENS + ": not a Qwen2 tokenizer");
        }
        long[] sample = templated("a");
        if (!Arrays.equals(Arrays.copyOf(sample, PREFIX_TOKENS), prefixIds)) {
            throw ModelException.of(source, "a templated prompt does not start with the template prefix's tokens");
        }
    }

    /**
     * Opens a tokenizer folder. A missing or malformed file is a {@link ModelException} naming it.
     *
     * @param folder a model's {@code tokenizer/} folder
     */
    public static QwenTokenizer load(Path folder) {
        Path json = folder.resolve(TOKENIZER_JSON);
        Path configFile = folder.resolve(TOKENIZER_CONFIG);
        Path source;
        String text;
        if (Files.exists(json)) {
            source = json;
            text = HuggingFaceTokenizers.readString(json);
        } else if (Files.exists(folder.resolve("vocab.json")) || Files.exists(folder.resolve("merges.txt"))) {
            source = folder;
            text = Qwen2TokenizerJson.fromSlowFiles(folder);
        } else {
            throw ModelException.of(json, "is missing (and there is no vocab.json + merges.txt either)");
        }
        String padToken = HuggingFaceTokenizers.specialToken(folder, JsonFiles.readOptional(configFile), "pad_token",
                END_OF_TEXT);
        HuggingFaceTokenizer hf = HuggingFaceTokenizers.open(source, text);
        try {
            return new QwenTokenizer(hf, source, padToken);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
    }

    /** One prompt with the default {@code max_sequence_length} (512). */
    public QwenPrompt encode(String prompt) {
        return encode(prompt, DEFAULT_MAX_SEQUENCE_LENGTH);
    }

    /**
     * One prompt in the template, no padding.
     *
     * @param maxSequenceLength prompt embeddings kept after the prefix, 1 to {@link #MAX_SEQUENCE_LENGTH}
     */
    public QwenPrompt encode(String prompt, int maxSequenceLength) {
        int limit = PREFIX_TOKENS + checkMaxSequenceLength(maxSequenceLength);
        long[] ids = templated(prompt);
        long[] kept = ids.length > limit ? Arrays.copyOf(ids, limit) : ids;
        long[] mask = new long[kept.length];
        Arrays.fill(mask, 1L);
        return new QwenPrompt(kept, mask, PREFIX_TOKENS, ids.length > limit);
    }

    /**
     * Several prompts padded on the right to the longest with the pad token (mask 0), as diffusers' tokenizer call
     * with {@code padding=True} does.
     */
    public List<QwenPrompt> encodeBatch(List<String> prompts, int maxSequenceLength) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to encode");
        }
        List<QwenPrompt> single = new ArrayList<>(prompts.size());
        int longest = 0;
        for (String prompt : prompts) {
            QwenPrompt p = encode(prompt, maxSequenceLength);
            single.add(p);
            longest = Math.max(longest, p.ids().length);
        }
        List<QwenPrompt> padded = new ArrayList<>(single.size());
        for (QwenPrompt p : single) {
            long[] ids = Arrays.copyOf(p.ids(), longest);
            Arrays.fill(ids, p.ids().length, longest, padId);
            padded.add(new QwenPrompt(ids, Arrays.copyOf(p.attentionMask(), longest), p.prefixLength(), p.truncated()));
        }
        return List.copyOf(padded);
    }

    /**
     * The words of {@code prompt} the text encoder does not see with this {@code max_sequence_length}: the
     * tokens cut off before the template's closing, decoded; "" when only the closing (or nothing) was cut.
     */
    public String droppedText(String prompt, int maxSequenceLength) {
        int limit = PREFIX_TOKENS + checkMaxSequenceLength(maxSequenceLength);
        long[] ids = templated(prompt);
        int end = ids.length - suffixIds.length;
        if (limit >= end) {
            return "";
        }
        return tokenizer.decode(Arrays.copyOfRange(ids, limit, end), false);
    }

    /** The ids of a text as the tokenizer splits it, without template, truncation or padding. */
    public long[] tokens(String text) {
        return tokenizer.encode(HuggingFaceTokenizers.wellFormed(text), true, false).getIds();
    }

    public long endOfTextId() {
        return endOfTextId;
    }

    public long imStartId() {
        return imStartId;
    }

    public long imEndId() {
        return imEndId;
    }

    public long padId() {
        return padId;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private long[] templated(String prompt) {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt is null");
        }
        return tokens(TEMPLATE_PREFIX + prompt + TEMPLATE_SUFFIX);
    }

    private static int checkMaxSequenceLength(int maxSequenceLength) {
        if (maxSequenceLength < 1 || maxSequenceLength > MAX_SEQUENCE_LENGTH) {
            throw new IllegalArgumentException("max_sequence_length must be 1.." + MAX_SEQUENCE_LENGTH + ": "
                    + maxSequenceLength);
        }
        return maxSequenceLength;
    }

    private long singleId(String token, Path source) {
        long[] ids;
        try {
            ids = tokens(token);
        } catch (RuntimeException e) {
            throw ModelException.of(source, "cannot tokenize '" + token + "' (" + e.getMessage() + ")", e);
        }
        if (ids.length != 1) {
            throw ModelException.of(source, "'" + token + "' is not a single (added) token but " + ids.length);
        }
        return ids[0];
    }
}
