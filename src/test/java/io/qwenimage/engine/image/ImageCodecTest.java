package io.qwenimage.engine.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.scheduler.SchedulerKind;
import io.qwenimage.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageCodecTest {

    static RgbImage gradient(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) (x * 255 / (w - 1));
                rgb[i + 1] = (byte) (y * 255 / (h - 1));
                rgb[i + 2] = (byte) 90;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    @Test
    void pngRoundTripsExactlyAndCarriesTheParameters() {
        RgbImage img = gradient(40, 30);
        GenerationRequest r = GenerationRequest.textToImage("a red circle", "blurry", 40, 30, 20, 7.5,
                SchedulerKind.EULER_ANCESTRAL, 42, 1);
        byte[] png = ImageCodec.encodePng(img, Map.of("parameters", GenerationParameters.format(r, 42, "demo")));
        assertThat(ImageCodec.decode(png, 10_000).rgb()).isEqualTo(img.rgb());
        assertThat(ImageCodec.readPngText(png)).containsEntry("parameters", "a red circle\nNegative prompt: blurry\n"
                + "Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 40x30, Model: demo");
    }

    @Test
    void jpegAndBmpDecode() throws IOException {
        RgbImage img = gradient(64, 48);
        RgbImage jpeg = ImageCodec.decode(ImageCodec.encodeJpeg(img, 0.95f), 1_000_000);
        assertThat(jpeg.width()).isEqualTo(64);
        assertThat(meanAbsDiff(jpeg, img)).isLessThan(4);
        ByteArrayOutputStream bmp = new ByteArrayOutputStream();
        ImageIO.write(ImageTensors.toBufferedImage(img), "bmp", bmp);
        assertThat(ImageCodec.decode(bmp.toByteArray(), 1_000_000).rgb()).isEqualTo(img.rgb());
    }

    @Test
    void webpDecodes() throws IOException {
        byte[] webp = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(
                "src/test/resources/images/red-circle-on-blue.webp"));
        RgbImage img = ImageCodec.decode(webp, 10_000);
        assertThat(img.width()).isEqualTo(48);
        assertThat(img.height()).isEqualTo(32);
        assertThat(new int[] {img.at(24, 16, 0), img.at(24, 16, 1), img.at(24, 16, 2)}).containsExactly(220, 40, 40);
        assertThat(new int[] {img.at(1, 1, 0), img.at(1, 1, 1), img.at(1, 1, 2)}).containsExactly(40, 70, 220);
    }

    @Test
    void aHugeDeclaredSizeIsRefusedBeforeDecoding() {
        byte[] bomb = TestImages.pngHeaderOnly(100_000, 100_000);
        assertThatThrownBy(() -> ImageCodec.decode(bomb, 4_194_304))
                .isInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("100000x100000").hasMessageContaining("4194304");
    }

    @Test
    void garbageAndTruncatedFilesAreInvalidImages() {
        assertThatThrownBy(() -> ImageCodec.decode("hello".getBytes(StandardCharsets.UTF_8), 100))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("not a PNG, JPEG, WebP, BMP or GIF");
        assertThatThrownBy(() -> ImageCodec.decode(new byte[0], 100)).isInstanceOf(InvalidImageException.class);
        byte[] png = ImageCodec.encodePng(gradient(32, 32), Map.of());
        byte[] cut = java.util.Arrays.copyOf(png, png.length / 2);
        assertThatThrownBy(() -> ImageCodec.decode(cut, 10_000)).isInstanceOf(InvalidImageException.class);
    }

    @Test
    void transparentPixelsBecomeWhite() throws IOException {
        BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0xFFFF0000);      // opaque red
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(argb, "png", png);
        RgbImage img = ImageCodec.decode(png.toByteArray(), 100);
        assertThat(new int[] {img.at(0, 0, 0), img.at(0, 0, 1), img.at(0, 0, 2)}).containsExactly(255, 0, 0);
        assertThat(new int[] {img.at(3, 3, 0), img.at(3, 3, 1), img.at(3, 3, 2)}).containsExactly(255, 255, 255);
    }

    static double meanAbsDiff(RgbImage a, RgbImage b) {
        long sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF));
        }
        return sum / (double) a.rgb().length;
    }
}
