package io.qwenimage.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import com.fasterxml.jackson.databind.JsonNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Opening a {@code tokenizer.json} with Hugging Face's Rust tokenizers (through DJL), as the Qwen2 and T5
 * tokenizers do: DJL kept offline, truncation and padding left to the caller, files named in every failure.
 */
final class HuggingFaceTokenizers {

    static {
        keepDjlOffline();
    }

    private HuggingFaceTokenizers() {
    }

    /** The tokenizer a tokenizer.json describes; {@code source} names it in errors. */
    static HuggingFaceTokenizer open(Path source, String tokenizerJson) {
        try {
            LibUtils.checkStatus();
        } catch (RuntimeException e) {
            throw new ModelException("Hugging Face tokenizers' native library (DJL) cannot be loaded, needed for "
                    + source + ": " + e.getMessage(), e);
        }
        // truncation and padding are ours, as diffusers asks for them; a tokenizer.json's own settings are off
        Map<String, String> options = Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
        try (InputStream in = new ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8))) {
            return HuggingFaceTokenizer.newInstance(in, options);
        } catch (IOException | RuntimeException e) {
            throw ModelException.of(source, "is not a tokenizer Hugging Face's tokenizers can read ("
                    + e.getMessage() + ")", e);
        }
    }

    static String readString(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ModelException.of(file, "cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * A special token as transformers' tokenizer would take it: tokenizer_config.json's {@code key}, else
     * special_tokens_map.json's, else the tokenizer class's own default {@code fallback}.
     */
    static String specialToken(Path folder, JsonNode config, String key, String fallback) {
        for (JsonNode node : List.of(config, JsonFiles.readOptional(folder.resolve("special_tokens_map.json")))) {
            JsonNode token = node.path(key);
            String value = token.isObject() ? token.path("content").asText(null)
                    : token.isTextual() ? token.asText() : null;
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return fallback;
    }

    /**
     * A string the native side can take as UTF-8: an unpaired surrogate (possible in JSON text) becomes U+FFFD,
     * as a JavaScript or Rust encoder would make it.
     */
    static String wellFormed(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (cp <= Character.MAX_VALUE && Character.isSurrogate((char) cp)) {
                if (sb == null) {
                    sb = new StringBuilder(text.length()).append(text, 0, i);
                }
                sb.append('\uFFFD');
            } else if (sb != null) {
                sb.append(text, i, next);
            }
            i = next;
        }
        return sb == null ? text : sb.toString();
    }

    /**
     * DJL otherwise calls a telemetry endpoint at each tokenizer creation on EC2, and on a CUDA machine downloads a
     * CUDA build of the native library from publish.djl.ai. Offline mode skips both and extracts the CPU library
     * bundled in the jar (to ~/.djl.ai/tokenizers, or the temporary directory when home is not writable; the
     * DJL_CACHE_DIR or ENGINE_CACHE_DIR variables move it). Set only when absent: an environment variable or system
     * property of the same name chosen by the operator wins.
     */
    private static void keepDjlOffline() {
        setIfAbsent("ai.djl.offline", "DJL_OFFLINE", "true");
        setIfAbsent("OPT_OUT_TRACKING", "OPT_OUT_TRACKING", "true");
        setIfAbsent("RUST_FLAVOR", "RUST_FLAVOR", "cpu");
    }

    private static void setIfAbsent(String property, String env, String value) {
        if (System.getProperty(property) == null && System.getenv(env) == null) {
            System.setProperty(property, value);
        }
    }
}
