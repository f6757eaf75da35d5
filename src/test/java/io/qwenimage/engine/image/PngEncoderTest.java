package io.qwenimage.engine.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The PNG writer against Java's own PNG reader: exact pixels for every filter path, text chunks, odd sizes. */
class PngEncoderTest {

    static RgbImage picture(int width, int height, boolean noisy) {
        Random random = new Random(width * 31L + height);
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                if (noisy) {
                    random.nextBytes(new byte[0]);
                    rgb[i] = (byte) random.nextInt(256);
                    rgb[i + 1] = (byte) random.nextInt(256);
                    rgb[i + 2] = (byte) random.nextInt(256);
                } else {
                    // gradients and edges: each of Sub, Up and Paeth wins somewhere
                    rgb[i] = (byte) (x * 255 / Math.max(1, width - 1));
                    rgb[i + 1] = (byte) (y * 255 / Math.max(1, height - 1));
                    rgb[i + 2] = (byte) ((x / 7 + y / 5) % 2 == 0 ? 30 : 220);
                }
            }
        }
        return new RgbImage(width, height, rgb);
    }

    static RgbImage readBack(byte[] png) throws IOException {
        BufferedImage read = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(read).as("ImageIO reads it").isNotNull();
        return ImageTensors.fromBufferedImage(read);
    }

    @ParameterizedTest
    @CsvSource({"1, 1, false", "3, 2, true", "64, 64, false", "65, 33, true", "512, 512, false", "200, 700, true"})
    void javasReaderGetsBackEveryPixel(int width, int height, boolean noisy) throws IOException {
        RgbImage image = picture(width, height, noisy);
        RgbImage back = readBack(ImageCodec.encodePng(image, Map.of()));
        assertThat(back.width()).isEqualTo(width);
        assertThat(back.height()).isEqualTo(height);
        assertThat(back.rgb()).isEqualTo(image.rgb());
    }

    @Test
    void textChunksAreReadableAndLatin1() {
        byte[] png = ImageCodec.encodePng(picture(16, 16, false),
                Map.of("parameters", "a red circle\nSteps: 20, Seed: 7", "comment", "naïve 猫 \u0000end"));
        Map<String, String> text = ImageCodec.readPngText(png);
        assertThat(text).containsEntry("parameters", "a red circle\nSteps: 20, Seed: 7")
                .containsEntry("comment", "naïve ? ?end");
    }

    @Test
    void flatAreasAreStringMatchedNotOnlyHuffmanCoded() {
        // a disc on a plain ground: Huffman coding alone could not go below one bit per byte (1/8 of the raw size)
        int size = 256;
        byte[] rgb = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean in = (x - 128) * (x - 128) + (y - 128) * (y - 128) < 60 * 60;
                rgb[(y * size + x) * 3] = (byte) (in ? 220 : 20);
                rgb[(y * size + x) * 3 + 2] = (byte) (in ? 40 : 200);
            }
        }
        byte[] png = ImageCodec.encodePng(new RgbImage(size, size, rgb), Map.of());
        assertThat(png.length).isLessThan(rgb.length / 50);
    }

    @Test
    void smoothPicturesCompress() {
        byte[] png = ImageCodec.encodePng(picture(256, 256, false), Map.of());
        assertThat(png.length).isLessThan(256 * 256 * 3 / 4);
    }
}
