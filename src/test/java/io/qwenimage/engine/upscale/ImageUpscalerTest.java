package io.qwenimage.engine.upscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import io.qwenimage.engine.CancellationToken;
import io.qwenimage.engine.GenerationCancelledException;
import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.ModelException;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.engine.onnx.SessionFactory;
import io.qwenimage.engine.onnx.SessionSettings;
import io.qwenimage.testing.TestImages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled x4 upscaler (models/demo-upscaler): the graph gives PyTorch's numbers, its scale comes from its config
 * or from a probe, a picture cut into many tiles comes out as it does whole (the seams blended), it is sharper than
 * bicubic on a picture like the demo's, a graph that is not an upscaler is refused naming the file, and a cancel
 * stops it.
 */
class ImageUpscalerTest {

    static final Path MODEL = Path.of("models/demo-upscaler");
    static final SessionFactory SESSIONS = new SessionFactory(SessionSettings.cpuDefaults());
    static ImageUpscaler upscaler;

    @BeforeAll
    static void open() {
        upscaler = ImageUpscaler.open(MODEL, SESSIONS);
    }

    @AfterAll
    static void close() {
        upscaler.close();
    }

    static float[] floats(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    @Test
    void theGraphGivesPyTorchsOutput() throws Exception {
        float[] input = floats(Path.of("src/test/resources/upscaler-parity/input.bin"));
        float[] expected = floats(Path.of("src/test/resources/upscaler-parity/output.bin"));
        try (OrtSession.RunOptions run = new OrtSession.RunOptions()) {
            float[] out = upscaler.run(input, 24, 20, run);
            assertThat(out).hasSameSizeAs(expected);
            double worst = 0;
            for (int i = 0; i < out.length; i++) {
                worst = Math.max(worst, Math.abs(out[i] - expected[i]));
            }
            assertThat(worst).as("max abs difference from PyTorch").isLessThan(1e-4);
        }
    }

    @Test
    void theScaleComesFromTheConfigOrFromAProbe() {
        assertThat(upscaler.scale()).isEqualTo(4);
        assertThat(upscaler.name()).isEqualTo("demo-upscaler");
        try (ImageUpscaler bare = ImageUpscaler.open(MODEL.resolve("model.onnx"), SESSIONS)) {
            assertThat(bare.scale()).as("a bare .onnx file, probed").isEqualTo(4);
            assertThat(bare.name()).isEqualTo("model");
        }
    }

    @Test
    void manyTilesGiveThePictureOneTileGives() {
        RgbImage picture = ImageCodec.decode(TestImages.redCircleOnBluePng(100, 70), 1 << 20);
        RgbImage whole = upscaler.upscale(picture, new Tiling(128, 12), new CancellationToken());
        // 16 px of overlap (the default) is more than the model's receptive field (10 px): the seams vanish
        RgbImage tiled = upscaler.upscale(picture, new Tiling(32, 16), new CancellationToken());
        assertThat(whole.width()).isEqualTo(400);
        assertThat(whole.height()).isEqualTo(280);
        int worst = 0;
        double sum = 0;
        for (int i = 0; i < whole.rgb().length; i++) {
            int d = Math.abs((whole.rgb()[i] & 0xFF) - (tiled.rgb()[i] & 0xFF));
            worst = Math.max(worst, d);
            sum += d;
        }
        System.out.printf("tiles 32/16 vs whole: worst %d levels, mean %.4f%n", worst, sum / whole.rgb().length);
        // measured: worst 1 level (overlap 12: 3, 8: 9, 4: 24, the edge's missing context showing)
        assertThat(worst).as("worst level difference").isLessThanOrEqualTo(1);
        assertThat(sum / whole.rgb().length).as("mean level difference").isLessThan(0.01);
    }

    @Test
    void itIsSharperThanBicubicOnAPictureLikeTheDemos() {
        RgbImage sharp = ImageCodec.decode(TestImages.redCircleOnBluePng(256, 256), 1 << 20);
        RgbImage small = boxDown(sharp, 4);
        double ours = psnr(upscaler.upscale(small, new Tiling(128, 12), new CancellationToken()), sharp);
        double bicubic = psnr(ImageTensors.resize(small, 256, 256), sharp);
        System.out.printf("x4 of a 64x64 circle: ours %.2f dB, bicubic %.2f dB%n", ours, bicubic);
        // measured: ours 33.5 dB, bicubic 30.7 dB
        assertThat(ours).isGreaterThan(bicubic + 2);
    }

    @Test
    void aGraphThatIsNotAnUpscalerIsRefusedNamingTheFile() {
        Path textEncoder = Path.of("models/demo/text_encoder/model.onnx");
        assertThatThrownBy(() -> ImageUpscaler.open(textEncoder, SESSIONS)).isInstanceOf(ModelException.class)
                .hasMessageContaining(textEncoder.toString()).hasMessageContaining("(1, 3, H, W)");
        assertThatThrownBy(() -> ImageUpscaler.open(Path.of("models/nothing-here"), SESSIONS))
                .isInstanceOf(ModelException.class).hasMessageContaining("model.onnx");
    }

    @Test
    void aCancelStopsIt() {
        CancellationToken cancel = new CancellationToken();
        cancel.cancel("deadline exceeded");
        RgbImage picture = ImageCodec.decode(TestImages.redCircleOnBluePng(64, 64), 1 << 20);
        assertThatThrownBy(() -> upscaler.upscale(picture, new Tiling(32, 8), cancel))
                .isInstanceOf(GenerationCancelledException.class).hasMessageContaining("deadline");
    }

    static RgbImage boxDown(RgbImage image, int f) {
        int w = image.width() / f;
        int h = image.height() / f;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int dy = 0; dy < f; dy++) {
                        for (int dx = 0; dx < f; dx++) {
                            sum += image.at(x * f + dx, y * f + dy, c);
                        }
                    }
                    rgb[(y * w + x) * 3 + c] = (byte) Math.round(sum / (float) (f * f));
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    static double psnr(RgbImage a, RgbImage b) {
        double se = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            double d = (a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF);
            se += d * d;
        }
        return 10 * Math.log10(255.0 * 255.0 / (se / a.rgb().length));
    }
}
