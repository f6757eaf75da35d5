package io.qwenimage.store;

import java.util.List;

/**
 * A finished generation kept for repeats: the encoded pictures as served, their seeds, the dropped prompt words.
 *
 * @param format png or jpeg
 */
public record CachedAnswer(String format, List<Long> seeds, String truncatedPrompt, List<byte[]> images) {

    /** Bytes it takes. */
    public long bytes() {
        return images.stream().mapToLong(i -> i.length).sum() + 64L * seeds.size() + 2L * truncatedPrompt.length();
    }
}
