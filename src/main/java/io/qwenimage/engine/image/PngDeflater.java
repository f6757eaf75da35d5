package io.qwenimage.engine.image;

import java.util.Arrays;
import java.util.zip.Adler32;

/**
 * A zlib stream (RFC 1950/1951) of PNG's filtered rows, written band by band, one dynamic-Huffman block per band.
 * It codes literals and runs only: a byte repeating the one before it three times or more is a match at distance 1
 * (zlib's {@code Z_RLE} idea, meant for PNG data). Filtered rows of a generated picture are mostly small residuals,
 * where longer string matches find little and cost most of zlib's time; runs still fold flat areas. On this
 * machine it codes about four times as fast as zlib at its fastest level, to files of about the same size
 * (bench/README.md).
 */
final class PngDeflater {

    private static final int END_OF_BLOCK = 256;
    private static final int LITERAL_LENGTH_SYMBOLS = 286;
    private static final int DISTANCE_SYMBOLS = 30;
    private static final int MIN_RUN = 3;
    private static final int MAX_RUN = 258;
    /** Order in which the code-length code's lengths are sent (RFC 1951 § 3.2.7). */
    private static final int[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1,
        15};
    /** Per match length 3..258: its symbol (257..285), extra bits, and the extra value. */
    private static final int[] LENGTH_SYMBOL = new int[MAX_RUN + 1];
    private static final int[] LENGTH_EXTRA_BITS = new int[MAX_RUN + 1];
    private static final int[] LENGTH_EXTRA = new int[MAX_RUN + 1];

    static {
        int[] extraBits = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
        int base = 3;
        for (int code = 0; code < 28; code++) {
            for (int v = 0; v < 1 << extraBits[code]; v++) {
                LENGTH_SYMBOL[base + v] = 257 + code;
                LENGTH_EXTRA_BITS[base + v] = extraBits[code];
                LENGTH_EXTRA[base + v] = v;
            }
            base += 1 << extraBits[code];
        }
        // 258 has a symbol of its own (285, no extra bits) rather than 284 with extra 31
        LENGTH_SYMBOL[MAX_RUN] = 285;
        LENGTH_EXTRA_BITS[MAX_RUN] = 0;
        LENGTH_EXTRA[MAX_RUN] = 0;
    }

    private final Adler32 adler = new Adler32();
    private final BitWriter out;
    private int[] tokens = new int[0];

    PngDeflater(int expectedBytes) {
        out = new BitWriter(expectedBytes);
        out.bits(0x78, 8);  // deflate, 32 KB window
        out.bits(0x01, 8);  // fastest level, no dictionary; (0x78 << 8 | 0x01) % 31 == 0
    }

    /** One band of filtered rows as one block ({@code last}: the final block). */
    void band(byte[] data, int length, boolean last) {
        adler.update(data, 0, length);
        // tokens: a literal byte (0-255) or a run (minus its length); counted as they are found
        if (tokens.length < length) {
            tokens = new int[length];
        }
        int[] literalFrequencies = new int[LITERAL_LENGTH_SYMBOLS];
        int[] distanceFrequencies = new int[DISTANCE_SYMBOLS];
        int count = 0;
        int i = 0;
        while (i < length) {
            byte b = data[i];
            if (i > 0 && b == data[i - 1]) {
                int end = Math.min(length, i + MAX_RUN);
                int j = i + 1;
                while (j < end && data[j] == b) {
                    j++;
                }
                int run = j - i;
                if (run >= MIN_RUN) {
                    tokens[count++] = -run;
                    literalFrequencies[LENGTH_SYMBOL[run]]++;
                    distanceFrequencies[0]++;
                    i = j;
                    continue;
                }
            }
            tokens[count++] = b & 0xFF;
            literalFrequencies[b & 0xFF]++;
            i++;
        }
        literalFrequencies[END_OF_BLOCK]++;
        HuffmanCode literals = HuffmanCode.of(literalFrequencies, 15);
        HuffmanCode distances = HuffmanCode.of(distanceFrequencies, 15);
        out.bits(last ? 1 : 0, 1);
        out.bits(2, 2);     // dynamic Huffman codes
        header(literals, distances);
        // code and length of each literal/length symbol in one int (code in the low 16 bits)
        int[] packed = new int[LITERAL_LENGTH_SYMBOLS];
        for (int s = 0; s < packed.length; s++) {
            packed[s] = literals.codes[s] | literals.lengths[s] << 16;
        }
        // the distance code has two symbols (distance 1 and its complement): one bit, so a run is at most
        // 15 + 5 + 1 bits and the 64-bit accumulator (under 32 bits full before each token) cannot overflow
        int distance = distances.codes[0] | distances.lengths[0] << 16;
        out.tokens(tokens, count, packed, distance);
        out.bits(literals.codes[END_OF_BLOCK], literals.lengths[END_OF_BLOCK]);
    }

    /** The whole stream: blocks, then the Adler-32 of the uncompressed bytes (most significant byte first). */
    byte[] finish() {
        out.alignToByte();
        int sum = (int) adler.getValue();
        out.bits(sum >>> 24, 8);
        out.bits((sum >>> 16) & 0xFF, 8);
        out.bits((sum >>> 8) & 0xFF, 8);
        out.bits(sum & 0xFF, 8);
        return out.toByteArray();
    }

    /** HLIT, HDIST, HCLEN, the code-length code, then both codes' lengths in it (RFC 1951 § 3.2.7). */
    private void header(HuffmanCode literals, HuffmanCode distances) {
        int hlit = LITERAL_LENGTH_SYMBOLS;
        while (hlit > 257 && literals.lengths[hlit - 1] == 0) {
            hlit--;
        }
        int hdist = DISTANCE_SYMBOLS;
        while (hdist > 1 && distances.lengths[hdist - 1] == 0) {
            hdist--;
        }
        int[] all = new int[hlit + hdist];
        System.arraycopy(literals.lengths, 0, all, 0, hlit);
        System.arraycopy(distances.lengths, 0, all, hlit, hdist);
        // the lengths as code-length symbols: 0-15 themselves, 16 repeats the previous 3-6 times, 17 and 18 zeros
        int[] symbols = new int[all.length];
        int[] extras = new int[all.length];
        int count = 0;
        int[] frequencies = new int[19];
        for (int i = 0; i < all.length;) {
            int value = all[i];
            int same = 1;
            while (i + same < all.length && all[i + same] == value) {
                same++;
            }
            if (value == 0 && same >= 3) {
                int take = Math.min(same, 138);
                symbols[count] = take >= 11 ? 18 : 17;
                extras[count++] = take >= 11 ? take - 11 : take - 3;
                i += take;
            } else if (value != 0 && same >= 4) {
                symbols[count] = value;
                extras[count++] = 0;
                int take = Math.min(same - 1, 6);
                symbols[count] = 16;
                extras[count++] = take - 3;
                i += 1 + take;
            } else {
                symbols[count] = value;
                extras[count++] = 0;
                i++;
            }
            frequencies[symbols[count - 1]]++;
            if (symbols[count - 1] == 16) {
                frequencies[value]++;
            }
        }
        HuffmanCode lengthCode = HuffmanCode.of(frequencies, 7);
        int hclen = 19;
        while (hclen > 4 && lengthCode.lengths[CODE_LENGTH_ORDER[hclen - 1]] == 0) {
            hclen--;
        }
        out.bits(hlit - 257, 5);
        out.bits(hdist - 1, 5);
        out.bits(hclen - 4, 4);
        for (int k = 0; k < hclen; k++) {
            out.bits(lengthCode.lengths[CODE_LENGTH_ORDER[k]], 3);
        }
        for (int k = 0; k < count; k++) {
            int s = symbols[k];
            out.bits(lengthCode.codes[s], lengthCode.lengths[s]);
            if (s == 16) {
                out.bits(extras[k], 2);
            } else if (s == 17) {
                out.bits(extras[k], 3);
            } else if (s == 18) {
                out.bits(extras[k], 7);
            }
        }
    }

    /** Bits into bytes, least significant bit first, through a 64-bit accumulator. */
    private static final class BitWriter {
        private byte[] bytes;
        private int size;
        private long buffer;
        private int filled;

        BitWriter(int expected) {
            bytes = new byte[Math.max(64, expected)];
        }

        void bits(int value, int count) {
            buffer |= (long) value << filled;
            filled += count;
            if (filled >= 32) {
                if (size + 4 > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + 4));
                }
                int word = (int) buffer;
                bytes[size] = (byte) word;
                bytes[size + 1] = (byte) (word >>> 8);
                bytes[size + 2] = (byte) (word >>> 16);
                bytes[size + 3] = (byte) (word >>> 24);
                size += 4;
                buffer >>>= 32;
                filled -= 32;
            }
        }

        /** Literals and runs (as {@link #band} makes them): the hot loop, its accumulator in locals. */
        void tokens(int[] tokens, int count, int[] packed, int distance) {
            if (bytes.length - size < count * 4 + 16) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + count * 4 + 16));
            }
            byte[] b = bytes;
            int at = size;
            long acc = buffer;
            int n = filled;
            for (int k = 0; k < count; k++) {
                int t = tokens[k];
                if (t >= 0) {
                    int p = packed[t];
                    acc |= (long) (p & 0xFFFF) << n;
                    n += p >>> 16;
                } else {
                    int run = -t;
                    int p = packed[LENGTH_SYMBOL[run]];
                    acc |= (long) (p & 0xFFFF) << n;
                    n += p >>> 16;
                    acc |= (long) LENGTH_EXTRA[run] << n;
                    n += LENGTH_EXTRA_BITS[run];
                    acc |= (long) (distance & 0xFFFF) << n;
                    n += distance >>> 16;
                }
                if (n >= 32) {
                    b[at] = (byte) acc;
                    b[at + 1] = (byte) (acc >>> 8);
                    b[at + 2] = (byte) (acc >>> 16);
                    b[at + 3] = (byte) (acc >>> 24);
                    at += 4;
                    acc >>>= 32;
                    n -= 32;
                }
            }
            size = at;
            buffer = acc;
            filled = n;
        }

        void alignToByte() {
            while (filled > 0) {
                if (size == bytes.length) {
                    bytes = Arrays.copyOf(bytes, bytes.length * 2);
                }
                bytes[size++] = (byte) buffer;
                buffer >>>= 8;
                filled = Math.max(0, filled - 8);
            }
            buffer = 0;
        }

        byte[] toByteArray() {
            alignToByte();
            return Arrays.copyOf(bytes, size);
        }
    }
}
