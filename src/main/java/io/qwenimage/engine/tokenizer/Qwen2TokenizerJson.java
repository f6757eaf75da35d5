package io.qwenimage.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qwenimage.engine.JsonFiles;
import io.qwenimage.engine.ModelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code tokenizer.json} that transformers' {@code Qwen2Converter} makes from a slow Qwen2Tokenizer folder
 * ({@code vocab.json}, {@code merges.txt}, the added tokens of {@code tokenizer_config.json}): byte-level BPE
 * without unknown token, NFC, Qwen2's split pattern, byte-level pre-tokenizer, decoder and post-processor. Built in
 * memory so that both forms of a Qwen-Image {@code tokenizer/} folder run through the same Rust tokenizer.
 */
final class Qwen2TokenizerJson {

    /** Qwen2's pre-tokenizer pattern (transformers' Qwen2Converter, identical in Qwen2.5's tokenizer.json). */
    static final String SPLIT_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Qwen2TokenizerJson() {
    }

    /** The tokenizer.json text for a folder holding vocab.json, merges.txt and tokenizer_config.json. */
    static String fromSlowFiles(Path folder) {
        Path configFile = folder.resolve("tokenizer_config.json");
        JsonNode config = JsonFiles.read(configFile);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.set("added_tokens", addedTokens(config, configFile));
        root.set("normalizer", JSON.createObjectNode().put("type", "NFC"));
        root.set("pre_tokenizer", preTokenizer(config));
        root.set("post_processor", byteLevel(false));
        root.set("decoder", byteLevel(false));
        root.set("model", model(folder));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the tokenizer built from " + folder, e);
        }
    }

    private static ObjectNode model(Path folder) {
        ObjectNode model = JSON.createObjectNode();
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.set("vocab", vocab(folder.resolve("vocab.json")));
        model.set("merges", merges(folder.resolve("merges.txt")));
        return model;
    }

    private static ObjectNode vocab(Path file) {
        JsonNode vocab = JsonFiles.read(file);
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw ModelException.of(file, "expected a JSON object of token -> id");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw ModelException.of(file, "id of token '" + e.getKey() + "' is not a non-negative integer");
            }
        }
        return (ObjectNode) vocab;
    }

    /** As Qwen2Tokenizer reads merges.txt: a first "#version:" line and blank lines skipped, one pair a line. */
    private static ArrayNode merges(Path file) {
        if (!Files.isRegularFile(file)) {
            throw ModelException.of(file, "is missing");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ModelException.of(file, "cannot be read (" + e.getMessage() + ")", e);
        }
        ArrayNode merges = JSON.createArrayNode();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || (i == 0 && line.startsWith("#version:"))) {
                continue;
            }
            String[] pair = line.split(" ");
            if (pair.length != 2) {
                throw ModelException.of(file, "line " + (i + 1) + " is not a pair of symbols");
            }
            merges.add(JSON.createArrayNode().add(pair[0]).add(pair[1]));
        }
        if (merges.isEmpty()) {
            throw ModelException.of(file, "holds no merges");
        }
        return merges;
    }

    /** The {@code added_tokens_decoder} entries (id -> AddedToken), in id order as transformers adds them. */
    private static ArrayNode addedTokens(JsonNode config, Path configFile) {
        JsonNode decoder = config.path("added_tokens_decoder");
        if (!decoder.isObject() || decoder.isEmpty()) {
            throw ModelException.of(configFile, "has no added_tokens_decoder (Qwen's <|im_start|>, <|im_end|> and "
                    + "<|endoftext|> are declared there); a tokenizer.json would do instead");
        }
        Map<Integer, JsonNode> byId = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException ex) {
                throw ModelException.of(configFile, "added_tokens_decoder key '" + e.getKey() + "' is not an id");
            }
            if (!e.getValue().path("content").isTextual()) {
                throw ModelException.of(configFile, "added token " + id + " has no content");
            }
            byId.put(id, e.getValue());
        }
        ArrayNode out = JSON.createArrayNode();
        for (Map.Entry<Integer, JsonNode> e : byId.entrySet()) {
            JsonNode t = e.getValue();
            ObjectNode token = JSON.createObjectNode();
            token.put("id", e.getKey());
            token.put("content", t.path("content").asText());
            for (String flag : List.of("single_word", "lstrip", "rstrip")) {
                token.put(flag, t.path(flag).asBoolean(false));
            }
            // transformers' AddedToken default: normalized = not special
            boolean special = t.path("special").asBoolean(false);
            token.put("normalized", t.path("normalized").asBoolean(!special));
            token.put("special", special);
            out.add(token);
        }
        return out;
    }

    private static ObjectNode preTokenizer(JsonNode config) {
        ObjectNode split = JSON.createObjectNode();
        split.put("type", "Split");
        split.set("pattern", JSON.createObjectNode().put("Regex", SPLIT_PATTERN));
        split.put("behavior", "Isolated");
        split.put("invert", false);
        ObjectNode sequence = JSON.createObjectNode();
        sequence.put("type", "Sequence");
        sequence.set("pretokenizers", JSON.createArrayNode().add(split)
                .add(byteLevel(config.path("add_prefix_space").asBoolean(false))));
        return sequence;
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace) {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", addPrefixSpace);
        node.put("trim_offsets", false);
        node.put("use_regex", false);
        return node;
    }
}
