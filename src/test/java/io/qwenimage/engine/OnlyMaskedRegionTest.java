package io.qwenimage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A1111's "only masked" geometry: the region is the box around the mask grown by the padding, then to the aspect
 * of the size it is inpainted at, inside the picture; pasting the inpainted region back changes nothing outside
 * the mask.
 */
class OnlyMaskedRegionTest {

    static InpaintMask square(int w, int h, int x0, int y0, int side) {
        byte[] v = new byte[w * h];
        for (int y = y0; y < y0 + side; y++) {
            for (int x = x0; x < x0 + side; x++) {
                v[y * w + x] = (byte) 255;
            }
        }
        return InpaintMask.of(w, h, v);
    }

    @Test
    void theRegionIsTheMasksBoxPaddedAndGrownToTheAspect() {
        InpaintMask mask = square(200, 100, 150, 40, 20);
        assertThat(mask.cropRegion(4, 64, 64)).isEqualTo(new InpaintMask.Region(146, 36, 28, 28));
        // 2:1 wanted: widened around its centre
        assertThat(mask.cropRegion(4, 128, 64)).isEqualTo(new InpaintMask.Region(132, 36, 56, 28));
        // near the border: pushed back inside the picture
        assertThat(square(200, 100, 190, 80, 10).cropRegion(8, 64, 64))
                .isEqualTo(new InpaintMask.Region(174, 72, 26, 26));
        assertThat(InpaintMask.of(10, 10, new byte[100]).cropRegion(4, 64, 64))
                .as("an empty mask: the whole picture").isEqualTo(new InpaintMask.Region(0, 0, 10, 10));
    }

    @Test
    void pastingBackChangesOnlyWhatTheMaskCovers() {
        InpaintMask mask = square(40, 30, 10, 10, 8);
        RgbImage picture = new RgbImage(40, 30, filled(40 * 30, (byte) 50));
        InpaintMask.Region region = mask.cropRegion(2, 64, 64);
        RgbImage inpainted = new RgbImage(64, 64, filled(64 * 64, (byte) 200));
        RgbImage out = mask.pasted(picture, region, inpainted);
        assertThat(out.width()).isEqualTo(40);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                boolean inside = x >= 10 && x < 18 && y >= 10 && y < 18;
                assertThat(out.at(x, y, 0)).as("(%d, %d)", x, y).isEqualTo(inside ? 200 : 50);
            }
        }
    }

    static byte[] filled(int pixels, byte value) {
        byte[] rgb = new byte[pixels * 3];
        java.util.Arrays.fill(rgb, value);
        return rgb;
    }
}
