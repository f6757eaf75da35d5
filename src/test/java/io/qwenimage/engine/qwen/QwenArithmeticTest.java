package io.qwenimage.engine.qwen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Qwen-Image's packing and true CFG against numpy's reading of diffusers' code (the expected values were printed
 * by {@code numpy.arange(48).reshape(1, 2, 2, 2, 3, 2).transpose(0, 2, 4, 1, 3, 5).reshape(1, 6, 8)} — diffusers'
 * {@code _pack_latents} — and by the true-CFG formula of {@code QwenImagePipeline.__call__} in numpy).
 */
class QwenArithmeticTest {

    @Test
    void packingIsDiffusersViewAndPermute() {
        float[] latents = new float[2 * 4 * 6];
        for (int i = 0; i < latents.length; i++) {
            latents[i] = i;
        }
        float[] packed = LatentPacking.pack(latents, 2, 4, 6);
        int[] expected = {0, 1, 6, 7, 24, 25, 30, 31, 2, 3, 8, 9, 26, 27, 32, 33, 4, 5, 10, 11, 28, 29, 34, 35, 12, 13,
            18, 19, 36, 37, 42, 43, 14, 15, 20, 21, 38, 39, 44, 45, 16, 17, 22, 23, 40, 41, 46, 47};
        for (int i = 0; i < expected.length; i++) {
            assertThat(packed[i]).as("packed %d", i).isEqualTo(expected[i]);
        }
        assertThat(LatentPacking.unpack(packed, 2, 4, 6)).containsExactly(latents);
        assertThatThrownBy(() -> LatentPacking.pack(new float[2 * 3 * 4], 2, 3, 4))
                .hasMessageContaining("must be even");
    }

    @Test
    void trueCfgRescalesEachTokenToTheConditionalNorm() {
        float[] cond = {1, 2, 3, 0.5f, -1, 2};
        float[] negative = {0, 1, 1, 1, 1, 1};
        TrueCfg.combine(cond, negative, 4.0, 3);
        double[] numpy = {1.3550150394439697, 1.6937687397003174, 3.048783779144287, -0.26457512378692627,
            -1.8520258665084839, 1.3228756189346313};
        for (int i = 0; i < numpy.length; i++) {
            assertThat((double) cond[i]).as("value %d", i).isCloseTo(numpy[i], within(1e-6));
        }
        float[] same = {1, 2, 3};
        TrueCfg.combine(same, new float[] {5, 5, 5}, 1.0, 3);
        assertThat(same).containsExactly(new float[] {1, 2, 3}, within(1e-6f));
    }

    @Test
    void rotaryTablesCentreImagePositionsAndPlaceTextAfterThem() {
        QwenRotaryTables rope = new QwenRotaryTables(10000, new int[] {2, 4, 4}, true);
        assertThat(rope.pairs()).isEqualTo(5);
        QwenRotaryTables.Table image = rope.image(4, 2);
        // token (row 0, column 0): frame 0, height position -2, width position -1
        assertThat(image.cos()[0]).isEqualTo(1f);
        assertThat((double) image.cos()[1]).isCloseTo(Math.cos(-2.0), within(1e-6));
        assertThat((double) image.sin()[1]).isCloseTo(Math.sin(-2.0), within(1e-6));
        assertThat((double) image.sin()[2]).isCloseTo(Math.sin(-2.0 / 100), within(1e-6));
        assertThat((double) image.sin()[3]).isCloseTo(Math.sin(-1.0), within(1e-6));
        // text token 0 sits at max(4/2, 2/2) = 2 on every axis
        QwenRotaryTables.Table text = rope.text(3, 4, 2);
        assertThat((double) text.sin()[0]).isCloseTo(Math.sin(2.0), within(1e-6));
        assertThat((double) text.sin()[5 + 1]).isCloseTo(Math.sin(3.0), within(1e-6));
    }
}
