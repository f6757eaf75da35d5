package io.qwenimage.engine.tokenizer;

import java.util.Arrays;

/**
 * A prompt in Qwen-Image's chat template as the text encoder takes it: the template prefix (the tokens diffusers
 * drops from the encoder output), the prompt and the template's closing, then right padding when the prompt was
 * padded to a batch's longest.
 *
 * @param ids            token ids (int64, as the encoder's {@code input_ids}); padding uses the tokenizer's pad id
 * @param attentionMask  1 for a token, 0 for padding; same length as {@code ids}
 * @param prefixLength   the template-prefix tokens at the start ({@code drop_idx}, 34): their encoder outputs are
 *                       dropped, the rest are the prompt embeddings
 * @param truncated      true when the templated prompt was longer than the kept sequence and its end was cut off
 *                       (the words are not kept, as for CLIP prompts: only the fact)
 */
public record QwenPrompt(long[] ids, long[] attentionMask, int prefixLength, boolean truncated) {

    public QwenPrompt {
        if (ids.length != attentionMask.length) {
            throw new IllegalArgumentException("ids and mask differ in length: " + ids.length + " vs "
                    + attentionMask.length);
        }
    }

    /** Tokens before the padding (the mask's ones). */
    public int length() {
        int n = 0;
        for (long m : attentionMask) {
            n += m != 0 ? 1 : 0;
        }
        return n;
    }

    /** The prompt embeddings the encoder output yields: the tokens after the template prefix. */
    public int embeddingLength() {
        return length() - prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QwenPrompt p && Arrays.equals(ids, p.ids) && Arrays.equals(attentionMask, p.attentionMask)
                && prefixLength == p.prefixLength && truncated == p.truncated;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(attentionMask);
    }

    @Override
    public String toString() {
        return "QwenPrompt" + Arrays.toString(Arrays.copyOf(ids, length())) + " (+" + (ids.length - length())
                + " padding)" + (truncated ? " truncated" : "");
    }
}
