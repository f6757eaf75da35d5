package io.qwenimage.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cache keys change with every parameter that changes a pixel; the in-memory cache keeps within its bytes. */
class ResultCacheTest {

    static GenerationRequest request(String prompt, long seed, double guidance) {
        return GenerationRequest.textToImage(prompt, "", 64, 64, 20, guidance, SchedulerKind.EULER, seed, 1);
    }

    @Test
    void keysFollowEveryParameter() {
        String base = ResultCache.key(request("a red circle", 1, 7.5), "demo", "png");
        assertThat(ResultCache.key(request("a red circle", 1, 7.5), "demo", "png")).isEqualTo(base);
        assertThat(ResultCache.key(request("a red circle", 2, 7.5), "demo", "png")).isNotEqualTo(base);
        assertThat(ResultCache.key(request("a red circle", 1, 7.0), "demo", "png")).isNotEqualTo(base);
        assertThat(ResultCache.key(request("a red square", 1, 7.5), "demo", "png")).isNotEqualTo(base);
        assertThat(ResultCache.key(request("a red circle", 1, 7.5), "other", "png")).isNotEqualTo(base);
        assertThat(ResultCache.key(request("a red circle", 1, 7.5), "demo", "jpeg")).isNotEqualTo(base);
        RgbImage one = new RgbImage(8, 8, new byte[8 * 8 * 3]);
        byte[] otherPixels = new byte[8 * 8 * 3];
        otherPixels[5] = 1;
        RgbImage two = new RgbImage(8, 8, otherPixels);
        GenerationRequest a = new GenerationRequest("p", "", 64, 64, 20, 7.5, SchedulerKind.EULER, 1, 1, one, 0.5);
        GenerationRequest b = new GenerationRequest("p", "", 64, 64, 20, 7.5, SchedulerKind.EULER, 1, 1, two, 0.5);
        assertThat(ResultCache.key(a, "demo", "png")).as("the input picture counts")
                .isNotEqualTo(ResultCache.key(b, "demo", "png"));
    }

    @Test
    void theInMemoryCacheDropsTheLeastRecentlyUsedPastItsBytes() {
        InMemoryResultCache cache = new InMemoryResultCache(Duration.ofHours(1), 2500);
        CachedAnswer kilobyte = new CachedAnswer("png", List.of(1L), "", List.of(new byte[1000]));
        cache.put("a", kilobyte);
        cache.put("b", kilobyte);
        assertThat(cache.get("a")).isPresent();       // a is now the most recently used
        cache.put("c", kilobyte);
        assertThat(cache.get("b")).isEmpty();
        assertThat(cache.get("a")).isPresent();
        assertThat(cache.get("c")).isPresent();
        cache.put("huge", new CachedAnswer("png", List.of(1L), "", List.of(new byte[5000])));
        assertThat(cache.get("huge")).as("larger than the whole cache: not kept").isEmpty();
    }
}
