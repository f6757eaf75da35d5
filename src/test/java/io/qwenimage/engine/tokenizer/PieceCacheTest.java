package io.qwenimage.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer's piece cache stays bounded under a flood of distinct words and keeps serving the words people
 * use afterwards; what it returns is what encoding without it returns.
 */
class PieceCacheTest {

    @Test
    void aFloodOfRandomWordsNeitherGrowsTheCacheNorStopsItCaching() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Path.of("src/test/resources/tokenizer/clip"));
        TokenizedPrompt before = tokenizer.encode("a photograph of an astronaut riding a horse");
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder prompt = new StringBuilder();
            for (int w = 0; w < 10; w++) {
                for (int c = 0; c < 6 + random.nextInt(6); c++) {
                    prompt.append((char) ('a' + random.nextInt(26)));
                }
                prompt.append(' ');
            }
            tokenizer.encode(prompt.toString());
        }
        PieceCache cache = tokenizer.pieceCache();
        assertThat(cache.size()).isLessThanOrEqualTo(cache.capacity());

        // after 50,000 random words, ordinary words are cached again as soon as they are used
        TokenizedPrompt after = tokenizer.encode("a photograph of an astronaut riding a horse");
        assertThat(after).isEqualTo(before);
        assertThat(cache.get("astronaut")).isNotNull();
    }

    @Test
    void longPiecesAreNotKept() {
        PieceCache cache = new PieceCache(16, 8);
        cache.put("short", new int[] {1});
        cache.put("muchlongerthaneight", new int[] {2});
        assertThat(cache.get("short")).containsExactly(1);
        assertThat(cache.get("muchlongerthaneight")).isNull();
        assertThat(cache.size()).isEqualTo(1);
    }
}
