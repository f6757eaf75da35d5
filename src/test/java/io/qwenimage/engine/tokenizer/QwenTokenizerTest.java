package io.qwenimage.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.ModelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qwen2.5's real vocabulary against transformers.js (tools/qwen-tokenizer-reference): the ids of every reference
 * prompt in Qwen-Image's template, truncation as diffusers does it, batch padding, and broken folders.
 */
class QwenTokenizerTest {

    /** The tokenizer files: the Qwen demo model's own (one copy in the repository). */
    private static final Path FOLDER = Path.of("models/demo-qwen/tokenizer");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode REFERENCE = read(Path.of("src/test/resources/tokenizer/qwen2_5/reference-ids.json"));
    private static final QwenTokenizer QWEN = QwenTokenizer.load(FOLDER);
    private static final int MAX_LENGTH = QwenTokenizer.PREFIX_TOKENS + QwenTokenizer.MAX_SEQUENCE_LENGTH;
    private static final String TINY_VOCAB = "{\"a\": 0, \"b\": 1, \"ab\": 2}";

    @AfterAll
    static void close() {
        QWEN.close();
    }

    @Test
    void referenceCoversEnoughPrompts() {
        assertThat(REFERENCE.path("cases").size()).isGreaterThanOrEqualTo(200);
        assertThat(REFERENCE.path("max_length").asInt()).isEqualTo(MAX_LENGTH);
        assertThat(REFERENCE.path("drop_idx").asInt()).isEqualTo(QwenTokenizer.PREFIX_TOKENS);
        assertThat(REFERENCE.path("template").asText())
                .isEqualTo(QwenTokenizer.TEMPLATE_PREFIX + "{}" + QwenTokenizer.TEMPLATE_SUFFIX);
    }

    @Test
    void everyReferencePromptAtTheFullLimit() {
        List<String> differences = new ArrayList<>();
        for (JsonNode c : REFERENCE.path("cases")) {
            long[] want = longs(c.path("ids"));
            QwenPrompt got = QWEN.encode(c.path("prompt").asText(), QwenTokenizer.MAX_SEQUENCE_LENGTH);
            compare(c, want, got, c.path("full_length").asInt() > MAX_LENGTH, differences);
        }
        assertThat(differences).isEmpty();
    }

    /** diffusers cuts the embeddings after the prefix to max_sequence_length (512 by default). */
    @Test
    void everyReferencePromptAtTheDefaultLimit() {
        int limit = QwenTokenizer.PREFIX_TOKENS + QwenTokenizer.DEFAULT_MAX_SEQUENCE_LENGTH;
        List<String> differences = new ArrayList<>();
        for (JsonNode c : REFERENCE.path("cases")) {
            long[] all = longs(c.path("ids"));
            long[] want = Arrays.copyOf(all, Math.min(all.length, limit));
            QwenPrompt got = QWEN.encode(c.path("prompt").asText());
            compare(c, want, got, c.path("full_length").asInt() > limit, differences);
        }
        assertThat(differences).isEmpty();
    }

    @Test
    void untruncatedLengthsMatch() {
        for (JsonNode c : REFERENCE.path("cases")) {
            String text = QwenTokenizer.TEMPLATE_PREFIX + c.path("prompt").asText() + QwenTokenizer.TEMPLATE_SUFFIX;
            assertThat(QWEN.tokens(text)).as(c.path("prompt").asText()).hasSize(c.path("full_length").asInt());
        }
    }

    @Test
    void templatePrefixIsThirtyFourTokens() {
        long[] prefix = QWEN.tokens(QwenTokenizer.TEMPLATE_PREFIX);
        assertThat(prefix).hasSize(34).containsExactly(longs(REFERENCE.path("prefix_ids")));
        assertThat(QWEN.tokens(QwenTokenizer.TEMPLATE_SUFFIX)).containsExactly(longs(REFERENCE.path("suffix_ids")));
        QwenPrompt p = QWEN.encode("a photo of a cat");
        assertThat(p.prefixLength()).isEqualTo(34);
        assertThat(Arrays.copyOf(p.ids(), 34)).containsExactly(prefix);
        // "a photo of a cat" is 5 tokens, and the template's closing 5 more
        assertThat(p.embeddingLength()).isEqualTo(10);
    }

    @Test
    void specialTokenIds() {
        assertThat(QWEN.endOfTextId()).isEqualTo(151643L);
        assertThat(QWEN.imStartId()).isEqualTo(151644L);
        assertThat(QWEN.imEndId()).isEqualTo(151645L);
        assertThat(QWEN.padId()).isEqualTo(151643L).isEqualTo(REFERENCE.path("pad_token_id").asLong());
        assertThat(QWEN.tokens("<|im_start|><|im_end|><|endoftext|>")).containsExactly(151644L, 151645L, 151643L);
    }

    @Test
    void digitsAreOneTokenEach() {
        assertThat(QWEN.tokens("2025")).containsExactly(17, 15, 17, 20);
    }

    /** n digits are 34 + n + 5 tokens in the template: the limit is 34 + max_sequence_length. */
    @Test
    void truncationFlagAtTheLimits() {
        assertThat(QWEN.encode(digits(507)).truncated()).isFalse();
        assertThat(QWEN.encode(digits(507)).ids()).hasSize(546);
        QwenPrompt over = QWEN.encode(digits(508));
        assertThat(over.truncated()).isTrue();
        assertThat(over.ids()).hasSize(546);
        // the cut takes the template's closing first, as in diffusers: here its last "\n"
        assertThat(over.ids()[545]).isEqualTo(77091L);
        assertThat(QWEN.encode(digits(1019), 1024).truncated()).isFalse();
        assertThat(QWEN.encode(digits(1020), 1024).truncated()).isTrue();
        assertThat(QWEN.encode(digits(5000), 1024).ids()).hasSize(1058);
        assertThat(QWEN.encode("a cat", 1).ids()).hasSize(35);
        assertThat(QWEN.encode("a cat", 1).truncated()).isTrue();
        assertThat(QWEN.encode("").truncated()).isFalse();
    }

    @Test
    void maxSequenceLengthBounds() {
        assertThatThrownBy(() -> QWEN.encode("a", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QWEN.encode("a", 1025)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1024");
        assertThatThrownBy(() -> QWEN.encode(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QWEN.encodeBatch(List.of(), 512)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void referenceBatchesPadToTheLongest() {
        for (JsonNode b : REFERENCE.path("batches")) {
            List<String> prompts = new ArrayList<>();
            b.path("prompts").forEach(p -> prompts.add(p.asText()));
            List<QwenPrompt> got = QWEN.encodeBatch(prompts, QwenTokenizer.MAX_SEQUENCE_LENGTH);
            assertThat(got).hasSize(prompts.size());
            for (int i = 0; i < got.size(); i++) {
                assertThat(got.get(i).ids()).as("batch %s prompt %d ids", prompts, i)
                        .containsExactly(longs(b.path("input_ids").get(i)));
                assertThat(got.get(i).attentionMask()).as("batch %s prompt %d mask", prompts, i)
                        .containsExactly(longs(b.path("attention_mask").get(i)));
            }
        }
    }

    @Test
    void batchPaddingUsesThePadTokenAndMaskZero() {
        List<QwenPrompt> batch = QWEN.encodeBatch(List.of("a cat", "a photo of a dog on a skateboard", ""), 512);
        int longest = QWEN.encode("a photo of a dog on a skateboard").ids().length;
        for (QwenPrompt p : List.of(batch.get(0), batch.get(2))) {
            assertThat(p.ids()).hasSize(longest);
            int n = p.length();
            assertThat(n).isLessThan(longest);
            assertThat(Arrays.copyOfRange(p.ids(), n, longest)).containsOnly(151643L);
            assertThat(Arrays.copyOfRange(p.attentionMask(), n, longest)).containsOnly(0L);
            assertThat(Arrays.copyOf(p.attentionMask(), n)).containsOnly(1L);
        }
        assertThat(batch.get(0).length()).isEqualTo(QWEN.encode("a cat").ids().length);
        assertThat(batch.get(1).attentionMask()).containsOnly(1L);
        // each prompt is cut to the limit before the batch is padded
        List<QwenPrompt> cut = QWEN.encodeBatch(List.of(digits(600), "short"), 512);
        assertThat(cut.get(0).ids()).hasSize(546);
        assertThat(cut.get(0).truncated()).isTrue();
        assertThat(cut.get(1).truncated()).isFalse();
        assertThat(cut.get(1).ids()).hasSize(546);
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        assertThat(HuggingFaceTokenizers.wellFormed("a\ud800b\udc00")).isEqualTo("a\ufffdb\ufffd");
        assertThat(HuggingFaceTokenizers.wellFormed("😀 ok")).isEqualTo("😀 ok");
        assertThat(QWEN.tokens("x\ud800")).containsExactly(QWEN.tokens("x\ufffd"));
    }

    /** The slow form (vocab.json + merges.txt + tokenizer_config.json) gives the same ids. */
    @Test
    void vocabAndMergesFolderMatchesTheReference(@TempDir Path dir) throws IOException {
        writeSlowFiles(dir);
        try (QwenTokenizer slow = QwenTokenizer.load(dir)) {
            assertThat(slow.padId()).isEqualTo(151643L);
            for (JsonNode c : REFERENCE.path("cases")) {
                assertThat(slow.encode(c.path("prompt").asText(), 1024).ids()).as(c.path("prompt").asText())
                        .containsExactly(longs(c.path("ids")));
            }
        }
    }

    @Test
    void slowFolderWithoutMergesNamesTheFile(@TempDir Path dir) throws IOException {
        writeTinySlowFiles(dir);
        Files.delete(dir.resolve("merges.txt"));
        assertThatThrownBy(() -> QwenTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("merges.txt").hasMessageContaining("missing");
    }

    @Test
    void slowFolderWithoutAddedTokensSaysSo(@TempDir Path dir) throws IOException {
        writeTinySlowFiles(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"<|endoftext|>\"}");
        assertThatThrownBy(() -> QwenTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("tokenizer_config.json").hasMessageContaining("added_tokens_decoder");
    }

    @Test
    void missingTokenizerNamesTheFile(@TempDir Path dir) {
        assertThatThrownBy(() -> QwenTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString()).hasMessageContaining("missing");
    }

    @Test
    void corruptTokenizerJsonNamesTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {");
        assertThatThrownBy(() -> QwenTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        assertThatThrownBy(() -> QwenTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }

    @Test
    void corruptTokenizerConfigNamesTheFile(@TempDir Path dir) throws IOException {
        Files.copy(FOLDER.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{oops");
        assertThatThrownBy(() -> QwenTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString());
    }

    @Test
    void tokenizerWithoutQwenSpecialTokensIsRefused(@TempDir Path dir) throws IOException {
        // a byte-level BPE of the same layout, without Qwen's added tokens
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"added_tokens\": [],"
                + " \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": false,"
                + " \"use_regex\": true}, \"model\": {\"type\": \"BPE\", \"vocab\": " + TINY_VOCAB
                + ", \"merges\": [[\"a\", \"b\"]]}}");
        assertThatThrownBy(() -> QwenTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString()).hasMessageContaining("<|endoftext|>");
    }

    @Test
    void tokenizerJsonWithoutConfigPadsWithEndOfText(@TempDir Path dir) throws IOException {
        Files.copy(FOLDER.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        try (QwenTokenizer bare = QwenTokenizer.load(dir)) {
            assertThat(bare.padId()).isEqualTo(151643L);
            assertThat(bare.encode("a cat")).isEqualTo(QWEN.encode("a cat"));
        }
    }

    private static void compare(JsonNode c, long[] want, QwenPrompt got, boolean truncated, List<String> out) {
        String prompt = c.path("prompt").asText();
        String shown = prompt.length() > 40 ? prompt.substring(0, 40) + "…(" + prompt.length() + " chars)" : prompt;
        if (!Arrays.equals(got.ids(), want)) {
            int at = Arrays.mismatch(got.ids(), want);
            out.add(JSON.valueToTree(shown) + ": first difference at " + at + " (got "
                    + slice(got.ids(), at) + ", want " + slice(want, at) + ")");
        } else if (got.truncated() != truncated) {
            out.add(JSON.valueToTree(shown) + ": truncated " + got.truncated() + ", want " + truncated);
        } else if (got.length() != want.length) {
            out.add(JSON.valueToTree(shown) + ": mask not all ones");
        }
    }

    private static String slice(long[] ids, int at) {
        return Arrays.toString(Arrays.copyOfRange(ids, Math.min(at, ids.length), Math.min(at + 4, ids.length)));
    }

    /** A slow folder too small to tokenize anything, for the files' own errors. */
    private static void writeTinySlowFiles(Path dir) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), TINY_VOCAB);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\n");
        Files.copy(FOLDER.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    }

    /** Splits our tokenizer.json into the slow Qwen2Tokenizer files. */
    private static void writeSlowFiles(Path dir) throws IOException {
        JsonNode json = read(FOLDER.resolve("tokenizer.json"));
        JSON.writeValue(dir.resolve("vocab.json").toFile(), json.path("model").path("vocab"));
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (JsonNode m : json.path("model").path("merges")) {
            merges.append(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText()).append('\n');
        }
        Files.writeString(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
        Files.copy(FOLDER.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    }

    private static String digits(int n) {
        return "1234567890".repeat(n / 10 + 1).substring(0, n);
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }
}
