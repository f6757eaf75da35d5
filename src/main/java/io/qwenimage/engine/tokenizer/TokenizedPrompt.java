package io.qwenimage.engine.tokenizer;

import java.util.Arrays;

/**
 * A prompt as the text encoder sees it: exactly {@code maxLength} ids, beginning-of-text first (CLIP; T5 has none),
 * end-of-text after the last kept token, then padding; plus the text that did not fit, if any.
 *
 * @param ids       token ids, length = the tokenizer's maximum length
 * @param length    number of meaningful ids ([BOS +] tokens + EOS), before the padding
 * @param truncated the words dropped because the prompt was too long, or an empty string when nothing was
 */
public record TokenizedPrompt(int[] ids, int length, String truncated) {

    /** True when part of the prompt was cut off. */
    public boolean wasTruncated() {
        return !truncated.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizedPrompt p && Arrays.equals(ids, p.ids) && length == p.length
                && truncated.equals(p.truncated);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + length;
    }

    @Override
    public String toString() {
        return "TokenizedPrompt" + Arrays.toString(Arrays.copyOf(ids, length)) + (wasTruncated() ? " truncated" : "");
    }
}
