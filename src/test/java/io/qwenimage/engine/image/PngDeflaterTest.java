package io.qwenimage.engine.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Our zlib streams against the JDK's own inflater (which also checks the Adler-32), and the Huffman codes' rules. */
class PngDeflaterTest {

    static byte[] inflate(byte[] stream) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stream);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new DataFormatException("the stream ended early");
                }
                out.write(buffer, 0, n);
            }
            assertThat(inflater.getRemaining()).as("nothing after the Adler-32").isZero();
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    static byte[] deflate(byte[] data, int band) {
        PngDeflater deflater = new PngDeflater(data.length);
        for (int at = 0; at < data.length; at += band) {
            int length = Math.min(band, data.length - at);
            deflater.band(Arrays.copyOfRange(data, at, at + length), length, at + length >= data.length);
        }
        return deflater.finish();
    }

    static byte[] content(String kind, int size) {
        Random random = new Random(size * 7L + kind.hashCode());
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = switch (kind) {
                case "random" -> (byte) random.nextInt(256);
                case "zeros" -> 0;
                case "small-residuals" -> (byte) Math.round(random.nextGaussian() * 3);
                case "runs" -> (byte) ((i / (1 + random.nextInt(600))) % 5);    // runs of every length, 1 to 600
                default -> (byte) (i % 3 == 0 ? 7 : i % 7);                    // short repeats, no long run
            };
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "zeros", "small-residuals", "runs", "pattern"})
    void theJdksInflaterGetsBackEveryByte(String kind) throws DataFormatException {
        for (int size : new int[] {1, 2, 3, 4, 258, 259, 262, 1000, 70_000, 200_000}) {
            byte[] data = content(kind, size);
            for (int band : new int[] {size, 997, 65_536}) {
                assertThat(inflate(deflate(data, Math.max(1, band)))).as("%s, %d bytes in bands of %d", kind, size,
                        band).isEqualTo(data);
            }
        }
    }

    @Test
    void runsAndSmallResidualsCompress() {
        assertThat(deflate(content("zeros", 100_000), 65_536).length).isLessThan(1_000);
        assertThat(deflate(content("small-residuals", 100_000), 65_536).length).isLessThan(50_000);
        // incompressible bytes cost a few bytes more than themselves, no more
        assertThat(deflate(content("random", 100_000), 65_536).length).isLessThan(100_000 + 600);
    }

    @Test
    void codesStayWithinTheirLengthLimitAndAreCompletePrefixCodes() {
        // Fibonacci frequencies make the optimal code as deep as there are symbols: far past 15 bits
        int[] frequencies = new int[30];
        frequencies[0] = 1;
        frequencies[1] = 1;
        for (int s = 2; s < frequencies.length; s++) {
            frequencies[s] = frequencies[s - 1] + frequencies[s - 2];
        }
        for (int limit : new int[] {7, 15}) {
            HuffmanCode code = HuffmanCode.of(frequencies, limit);
            double kraft = 0;
            for (int s = 0; s < frequencies.length; s++) {
                assertThat(code.lengths[s]).isBetween(1, limit);
                kraft += Math.pow(2, -code.lengths[s]);
            }
            assertThat(kraft).as("complete: every bit string decodes").isEqualTo(1.0);
            for (int a = 0; a < frequencies.length; a++) {
                for (int b = 0; b < frequencies.length; b++) {
                    if (a != b && code.lengths[a] <= code.lengths[b]) {
                        int mask = (1 << code.lengths[a]) - 1;
                        assertThat(code.codes[b] & mask).as("prefix-free").isNotEqualTo(code.codes[a]);
                    }
                }
            }
            // the more frequent symbol never gets the longer code
            for (int s = 1; s < frequencies.length; s++) {
                assertThat(code.lengths[s]).isLessThanOrEqualTo(code.lengths[s - 1]);
            }
        }
    }

    @Test
    void aLoneSymbolStillGetsACompleteCode() {
        int[] frequencies = new int[30];
        frequencies[0] = 42;
        HuffmanCode code = HuffmanCode.of(frequencies, 15);
        assertThat(code.lengths[0]).isEqualTo(1);
        assertThat(Arrays.stream(code.lengths).filter(l -> l > 0).count()).isEqualTo(2);
    }
}
