package io.qwenimage.bench.jmh;

import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The end of a 512x512 generation on the Java side: the VAE's planar floats to RGB bytes, then PNG (with the
 * parameters chunk, as served) or JPEG. The picture is smooth, like a generated one, not noise (which would
 * make PNG unrealistically slow).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PictureBenchmark {

    static final int SIZE = 512;

    private final float[] decoded = new float[3 * SIZE * SIZE];
    private RgbImage picture;

    @Setup
    public void draw() {
        Random random = new Random(3);
        int plane = SIZE * SIZE;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double r = Math.hypot(x - SIZE / 2.0, y - SIZE / 2.0) / SIZE;
                decoded[y * SIZE + x] = (float) Math.cos(6 * r) + 0.02f * (float) random.nextGaussian();
                decoded[plane + y * SIZE + x] = (float) Math.sin(x / 40.0) * 0.8f;
                decoded[2 * plane + y * SIZE + x] = (float) (y / (double) SIZE * 2 - 1);
            }
        }
        picture = ImageTensors.toImage(decoded, SIZE, SIZE, SIZE, SIZE);
        javax.imageio.ImageIO.setUseCache(false);
        try {
            System.out.printf("%nPNG bytes: ours %d, ImageIO's %d%n", png().length, pngWithImageIo().length);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Benchmark
    public RgbImage latentToRgb() {
        return ImageTensors.toImage(decoded, SIZE, SIZE, SIZE, SIZE);
    }

    @Benchmark
    public byte[] png() {
        return ImageCodec.encodePng(picture, Map.of("parameters", "a red circle on a blue background\nSteps: 30, "
                + "Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 42, Size: 512x512"));
    }

    /** Java's own PNG writer (all five filters per row, its default deflate level), for comparison. */
    @Benchmark
    public byte[] pngWithImageIo() throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(ImageTensors.toBufferedImage(picture), "png", out);
        return out.toByteArray();
    }

    @Benchmark
    public byte[] jpeg() {
        return ImageCodec.encodeJpeg(picture, 0.9f);
    }
}
