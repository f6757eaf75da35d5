package io.qwenimage.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.engine.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny T5 Unigram tokenizer (tools/tiny-flow-common) against two implementations that are not ours:
 * SentencePiece itself on spiece.model (the reference) and transformers.js on tokenizer.json. Where the two differ
 * because T5TokenizerFast's pipeline differs from the slow tokenizer (whitespace at the end, the space before an added
 * token: what diffusers gets, since it loads T5TokenizerFast), the fast one is expected; everywhere else
 * SentencePiece's ids; truncation as transformers does it (the first L - 1 ids, then {@code </s>}).
 */
class T5TokenizerTest {

    private static final Path FOLDER = Path.of("src/test/resources/tokenizer/t5");
    private static final JsonNode REFERENCE = read(FOLDER.resolve("reference-ids.json"));
    private static final T5Tokenizer T5 = T5Tokenizer.load(FOLDER);
    /** The kinds of difference where T5TokenizerFast (Rust, and transformers.js) differs from SentencePiece. */
    private static final List<String> FAST_PIPELINE = List.of("whitespace", "special-token text");
    /**
     * A grapheme of 7 UTF-8 bytes (e and three combining marks). Hugging Face's Rust Precompiled normalizer looks a
     * grapheme up whole only when it is shorter than 6 bytes, else char by char, so it does not compose e + U+0301
     * into é as SentencePiece (and transformers.js, which ignores the charsmap, by NFKC) do: T5TokenizerFast in
     * diffusers gives 'e' (88) where the reference has 'é' (589), and the rest alike.
     */
    private static final String LONG_GRAPHEME = "e\u0301\u0302\u0303 stacked marks";

    @AfterAll
    static void close() {
        T5.close();
    }

    @Test
    void referenceCoversEnoughPrompts() {
        assertThat(REFERENCE.path("cases").size()).isGreaterThanOrEqualTo(200);
        assertThat(T5.eosId()).isEqualTo(REFERENCE.path("eos_token_id").asLong());
        assertThat(T5.padId()).isEqualTo(REFERENCE.path("pad_token_id").asLong());
    }

    @Test
    void everyReferencePromptUntruncatedAndAtBothLimits() {
        List<String> differences = new ArrayList<>();
        int fast = 0;
        for (JsonNode c : REFERENCE.path("cases")) {
            String prompt = c.path("prompt").asText();
            boolean fastKind = false;
            for (JsonNode difference : c.path("differences")) {
                // each difference is "<kind>: <explanation>"
                fastKind |= FAST_PIPELINE.contains(difference.asText().split(":", 2)[0]);
            }
            int[] full = ints(fastKind && c.path("transformers_js").has("ids") ? c.path("transformers_js").path("ids")
                    : c.path("ids"));
            fast += fastKind ? 1 : 0;
            if (prompt.equals(LONG_GRAPHEME)) {
                int[] got = Arrays.stream(T5.pieces(prompt)).mapToInt(v -> (int) v).toArray();
                assertThat(full[1]).isEqualTo(589);
                full[1] = 88;
                assertThat(got).as("the long grapheme, composed by SentencePiece only").isEqualTo(full);
                continue;
            }
            if (!Arrays.equals(Arrays.stream(T5.pieces(prompt)).mapToInt(v -> (int) v).toArray(), full)) {
                differences.add("full ids of " + c.path("prompt"));
            }
            for (int limit : new int[] {256, 512}) {
                int[] want = truncated(full, limit);
                if (!fastKind) {
                    // the truncation rule here is transformers'; the reference applied it to SentencePiece's ids
                    assertThat(want).as("reference ids_%d of %s", limit, prompt)
                            .isEqualTo(ints(c.path("ids_" + limit)));
                }
                TokenizedPrompt got = T5.encode(prompt, limit);
                if (!Arrays.equals(got.ids(), want)) {
                    differences.add("ids_" + limit + " of " + c.path("prompt"));
                }
                assertThat(got.wasTruncated()).as("truncated flag of %s at %d", prompt, limit)
                        .isEqualTo(full.length > limit);
            }
        }
        assertThat(differences).isEmpty();
        assertThat(fast).as("cases where the fast pipeline is expected").isLessThan(60);
    }

    @Test
    void aTruncatedPromptSaysWhatWasCut() {
        TokenizedPrompt p = T5.encode("a photo of a cat and a dog", 4);
        assertThat(p.ids()).hasSize(4);
        assertThat(p.ids()[3]).isEqualTo((int) T5.eosId());
        assertThat(p.truncated()).contains("dog");
        assertThat(T5.encode("a cat", 512).truncated()).isEmpty();
    }

    @Test
    void limitsAreChecked() {
        assertThatThrownBy(() -> T5.encode("a", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> T5.encode("a", 513)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("512");
    }

    @Test
    void aFolderWithOnlySpieceModelIsRefusedWithTheWayOut(@TempDir Path dir) throws IOException {
        Files.copy(FOLDER.resolve("spiece.model"), dir.resolve("spiece.model"));
        assertThatThrownBy(() -> T5Tokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("tokenizer.json").hasMessageContaining("T5TokenizerFast");
    }

    @Test
    void aTokenizerJsonThatDoesNotCloseWithEosIsRefused(@TempDir Path dir) throws IOException {
        String json = Files.readString(FOLDER.resolve("tokenizer.json"));
        JsonNode tree = new ObjectMapper().readTree(json);
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree).putNull("post_processor");
        Files.writeString(dir.resolve("tokenizer.json"), tree.toString());
        assertThatThrownBy(() -> T5Tokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("</s>");
    }

    /** transformers' rule: a longer text keeps its first L - 1 ids and </s>; then pad (0) to L. */
    private static int[] truncated(int[] full, int limit) {
        int[] out = new int[limit];
        System.arraycopy(full, 0, out, 0, Math.min(full.length, limit));
        if (full.length > limit) {
            out[limit - 1] = 1;
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
