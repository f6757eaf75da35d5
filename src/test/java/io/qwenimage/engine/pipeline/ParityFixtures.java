package io.qwenimage.engine.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Parity fixtures written by a family's PyTorch reference ({@code tools/demo-qwen/} for the Qwen demo,
 * {@code tools/tiny-sdxl/} for the tiny SDXL): {@code manifest.txt} lists part, in/out, name, dtype, shape and a
 * raw little-endian file per tensor.
 */
final class ParityFixtures {

    static final Path QWEN_DIR = Path.of("tools/demo-qwen/parity");
    static final Path QWEN_MODEL = Path.of("models/demo-qwen");

    /** One tensor of the manifest. */
    record Tensor(String dtype, long[] shape, Path file) {

        float[] floats() {
            ByteBuffer b = bytes();
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }

        byte[] bytesOf() {
            ByteBuffer b = bytes();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }

        long[] longs() {
            ByteBuffer b = bytes();
            long[] out = new long[b.remaining() / 8];
            b.asLongBuffer().get(out);
            return out;
        }

        private ByteBuffer bytes() {
            try {
                return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final Path dir;
    private final Map<String, Tensor> tensors = new HashMap<>();

    /** The Qwen demo's. */
    ParityFixtures() {
        this(QWEN_DIR);
    }

    ParityFixtures(Path dir) {
        this.dir = dir;
        try {
            for (String line : Files.readAllLines(dir.resolve("manifest.txt"))) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                long[] shape = f[4].equals("-") ? new long[0]
                        : Arrays.stream(f[4].split(",")).mapToLong(Long::parseLong).toArray();
                tensors.put(f[0] + "." + f[2], new Tensor(f[3], shape, dir.resolve(f[5])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tensor {@code part.name}, e.g. {@code pipeline.image}. */
    Tensor get(String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("no fixture " + key + " in " + dir.resolve("manifest.txt"));
        }
        return t;
    }
}
