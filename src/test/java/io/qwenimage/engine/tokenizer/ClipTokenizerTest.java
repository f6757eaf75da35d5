package io.qwenimage.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI CLIP's real vocabulary (rebuilt by tools/clip-vocab/build.sh) and the demo model's own. */
class ClipTokenizerTest {

    private static final Path CLIP = Path.of("src/test/resources/tokenizer/clip");
    private static final ClipTokenizer SD1 = ClipTokenizer.load(CLIP);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a photo of a cat|49406, 320, 1125, 539, 320, 2368, 49407",
        "a photo of a dog|49406, 320, 1125, 539, 320, 1929, 49407",
        "A PHOTO of  a Cat!|49406, 320, 1125, 539, 320, 2368, 256, 49407",
        "'Hello, world!'|49406, 3306, 267, 1002, 256, 49407",
        "a photograph of an astronaut riding a horse|49406, 320, 8853, 539, 550, 18376, 6765, 320, 4558, 49407",
        "''|49406, 49407",
        "don't|49406, 847, 713, 49407",
        "open neural network exchange|49406, 1488, 26388, 3304, 6616, 49407",
        "'1girl, 4k'|49406, 272, 1611, 267, 275, 330, 49407",
    })
    void knownClipTokenizations(String text, String expected) {
        int[] want = Arrays.stream(expected.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        TokenizedPrompt p = SD1.encode(text);
        assertThat(Arrays.copyOf(p.ids(), p.length())).containsExactly(want);
        assertThat(p.wasTruncated()).isFalse();
    }

    @Test
    void sd1PadsWithEndOfTextToSeventySeven() {
        int[] ids = SD1.encode("").ids();
        assertThat(ids).hasSize(77);
        assertThat(ids[0]).isEqualTo(49406);
        assertThat(Arrays.copyOfRange(ids, 1, 77)).containsOnly(49407);
    }

    @Test
    void sd2PadsWithExclamationMarkZero(@TempDir Path dir) throws IOException {
        Files.copy(CLIP.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.copy(CLIP.resolve("merges.txt"), dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("special_tokens_map.json"),
                "{\"pad_token\": {\"content\": \"!\", \"lstrip\": false}, \"eos_token\": \"<|endoftext|>\"}");
        ClipTokenizer sd2 = ClipTokenizer.load(dir);
        int[] ids = sd2.encode("a cat").ids();
        assertThat(Arrays.copyOf(ids, 4)).containsExactly(49406, 320, 2368, 49407);
        assertThat(Arrays.copyOfRange(ids, 4, 77)).containsOnly(0);
        assertThat(sd2.padId()).isZero();
    }

    @Test
    void digitsAreOneTokenEachAndPunctuationRunsStayTogether() {
        assertThat(SD1.tokens("2024")).hasSize(4);
        assertThat(SD1.tokens("wow!!!")).containsExactlyElementsOf(SD1.tokens("wow !!!"));
        assertThat(SD1.decode(SD1.tokens("masterpiece, best quality, 8k uhd"))).isEqualTo("masterpiece , best quality , 8 k uhd");
    }

    @Test
    void unicodeTextRoundTripsThroughBytes() {
        for (String text : List.of("café crème", "東京タワー", "emoji 🐱 cat", "Ünïcödé ÄÖÜ")) {
            List<Integer> tokens = SD1.tokens(text);
            assertThat(tokens).isNotEmpty().allSatisfy(id -> assertThat(id).isBetween(0, 49405));
            assertThat(SD1.decode(tokens).replace(" ", "")).isEqualTo(ClipTokenizer.clean(text).replace(" ", ""));
        }
        // NFC: a decomposed é tokenizes like the composed one
        assertThat(SD1.tokens("cafe\u0301")).isEqualTo(SD1.tokens("café"));
    }

    @Test
    void cleaningUnescapesHtmlDropsControlsAndCollapsesWhitespace() {
        assertThat(ClipTokenizer.clean("  Tom &amp;amp; Jerry\t\n\u0007 &#33; ")).isEqualTo("tom & jerry !");
        assertThat(SD1.tokens("A\u200B cat")).isEqualTo(SD1.tokens("a cat"));
    }

    @Test
    void longPromptsKeepEndOfTextAndReportWhatWasDropped() {
        String prompt = IntStream.range(0, 200).mapToObj(i -> i % 2 == 0 ? "red" : "cat").collect(Collectors.joining(" "));
        TokenizedPrompt p = SD1.encode(prompt);
        assertThat(p.ids()).hasSize(77);
        assertThat(p.length()).isEqualTo(77);
        assertThat(p.ids()[0]).isEqualTo(49406);
        assertThat(p.ids()[76]).isEqualTo(49407);
        assertThat(p.wasTruncated()).isTrue();
        assertThat(p.truncated().split(" ")).hasSize(200 - 75);
        assertThat(p.truncated()).startsWith("cat red cat");
    }

    @Test
    void specialTokensWrittenInThePromptAreRecognised() {
        assertThat(SD1.tokens("<|endoftext|>")).containsExactly(49407);
    }

    @Test
    void demoModelVocabularyHasOneTokenPerCaptionWord() {
        ClipTokenizer demo = ClipTokenizer.load(Path.of("models/demo/tokenizer"));
        for (String word : List.of("a", "an", "on", "background", "circle", "square", "triangle", "red", "green",
                "blue", "yellow", "purple", "orange", "white", "black")) {
            assertThat(demo.tokens(word)).as(word).hasSize(1);
        }
        TokenizedPrompt p = demo.encode("An orange square on a white background");
        assertThat(p.length()).isEqualTo(9);
        assertThat(p.ids()[0]).isEqualTo(demo.bosId());
        assertThat(p.ids()[8]).isEqualTo(demo.eosId());
        assertThat(demo.padId()).isEqualTo(demo.eosId());
        // words outside the demo language still tokenize, into byte symbols
        assertThat(demo.tokens("zebra")).hasSize(5);
    }

    @Test
    void brokenFilesNameTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("vocab.json").hasMessageContaining("missing");
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": ");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("vocab.json").hasMessageContaining("not valid JSON");
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"<|startoftext|>\": 1, \"<|endoftext|>\": 2}");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("merges.txt");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b c\n");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("merges.txt").hasMessageContaining("not a pair");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"<pad>\"}");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining("pad token '<pad>'");
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        Map<Integer, int[]> results = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> threads = IntStream.range(0, 8).mapToObj(i -> new Thread(() ->
                results.put(i, SD1.encode("a photograph of an astronaut riding a horse " + i % 2).ids()))).toList();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(results.get(0)).isEqualTo(results.get(2)).isEqualTo(results.get(6));
        assertThat(results.get(1)).isEqualTo(results.get(7));
    }
}
