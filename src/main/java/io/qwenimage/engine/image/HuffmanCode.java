package io.qwenimage.engine.image;

import java.util.Arrays;

/**
 * A canonical, length-limited Huffman code (RFC 1951 § 3.2.2) for symbol frequencies: the code lengths of an
 * optimal prefix code, lengthened where needed so that none exceeds the limit (codes moved off the over-long levels
 * and the Kraft sum restored by splitting the deepest short code), then the canonical codes, bit-reversed because
 * deflate sends Huffman codes starting with their first bit into a stream written from the least significant bit.
 * Every code is complete: an alphabet with a single used symbol gets a second one of length 1, so any inflater
 * accepts it.
 */
final class HuffmanCode {

    /** Bit length per symbol (0: unused). */
    final int[] lengths;
    /** The code per symbol, reversed, to be written {@code lengths[s]} bits wide from the low bit. */
    final int[] codes;

    private HuffmanCode(int[] lengths, int[] codes) {
        this.lengths = lengths;
        this.codes = codes;
    }

    /** The code for {@code frequencies} (one per symbol) with no length over {@code maxLength}. */
    static HuffmanCode of(int[] frequencies, int maxLength) {
        int n = frequencies.length;
        int used = 0;
        for (int f : frequencies) {
            used += f > 0 ? 1 : 0;
        }
        int[] freq = frequencies.clone();
        if (used < 2) {
            // a lone symbol still needs a complete code: pair it with the first unused one
            for (int s = 0; s < n && used < 2; s++) {
                if (freq[s] == 0) {
                    freq[s] = 1;
                    used++;
                }
            }
        }
        int[] lengths = lengths(freq, maxLength);
        return new HuffmanCode(lengths, canonical(lengths, maxLength));
    }

    /** Optimal lengths by merging the two least frequent nodes, then limited to {@code maxLength}. */
    private static int[] lengths(int[] freq, int maxLength) {
        int n = freq.length;
        // the used symbols by rising frequency (ties by symbol, so the result is deterministic)
        long[] keyed = new long[n];
        int used = 0;
        for (int s = 0; s < n; s++) {
            if (freq[s] > 0) {
                keyed[used++] = ((long) freq[s] << 32) | s;
            }
        }
        long[] leaves = Arrays.copyOf(keyed, used);
        Arrays.sort(leaves);
        // two queues: the sorted leaves and the merged nodes (made in rising weight order)
        int nodes = 2 * used - 1;
        long[] weight = new long[nodes];
        int[] parent = new int[nodes];
        for (int i = 0; i < used; i++) {
            weight[i] = leaves[i] >>> 32;
        }
        int leaf = 0;
        int merged = used;
        int next = used;
        while (next < nodes) {
            int[] two = new int[2];
            for (int k = 0; k < 2; k++) {
                if (leaf < used && (merged >= next || weight[leaf] <= weight[merged])) {
                    two[k] = leaf++;
                } else {
                    two[k] = merged++;
                }
            }
            weight[next] = weight[two[0]] + weight[two[1]];
            parent[two[0]] = next;
            parent[two[1]] = next;
            next++;
        }
        // depths: the root is the last node; a node's parent always comes after it
        int[] depth = new int[nodes];
        for (int i = nodes - 2; i >= 0; i--) {
            depth[i] = depth[parent[i]] + 1;
        }
        // how many codes of each length, the over-long ones moved to the limit
        int[] count = new int[Math.max(maxLength, 1) + 1];
        for (int i = 0; i < used; i++) {
            count[Math.min(depth[i], maxLength)]++;
        }
        long kraft = 0;
        for (int l = 1; l <= maxLength; l++) {
            kraft += (long) count[l] << (maxLength - l);
        }
        // too many codes for the lengths: each turn frees one slot at the limit, by taking a code off the last
        // level and splitting the deepest shorter code into two one level deeper
        while (kraft > 1L << maxLength) {
            count[maxLength]--;
            for (int l = maxLength - 1; l > 0; l--) {
                if (count[l] > 0) {
                    count[l]--;
                    count[l + 1] += 2;
                    break;
                }
            }
            kraft--;
        }
        // the shortest codes to the most frequent symbols (the end of the sorted leaves)
        int[] lengths = new int[n];
        int at = used - 1;
        for (int l = 1; l <= maxLength; l++) {
            for (int c = 0; c < count[l]; c++) {
                lengths[(int) leaves[at--]] = l;
            }
        }
        return lengths;
    }

    private static int[] canonical(int[] lengths, int maxLength) {
        int[] count = new int[maxLength + 1];
        for (int l : lengths) {
            count[l]++;
        }
        count[0] = 0;
        int[] nextCode = new int[maxLength + 2];
        int code = 0;
        for (int l = 1; l <= maxLength; l++) {
            code = (code + count[l - 1]) << 1;
            nextCode[l] = code;
        }
        int[] codes = new int[lengths.length];
        for (int s = 0; s < lengths.length; s++) {
            int l = lengths[s];
            if (l > 0) {
                codes[s] = Integer.reverse(nextCode[l]++) >>> (32 - l);
            }
        }
        return codes;
    }
}
