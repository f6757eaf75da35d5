package io.qwenimage.engine.tokenizer;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The BPE result of recently seen prompt pieces, in a fixed number of slots: a piece goes to the slot its hash
 * names and replaces what was there. Memory is bounded by construction (slots × the longest piece kept), a flood of
 * random words cannot fill it for good (they only displace each other, and common words come back at once), and
 * lookups take no lock. The cached id arrays are shared: callers must not change them.
 */
final class PieceCache {

    private record Entry(String piece, int[] ids) {
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;
    private final int maxPieceLength;

    /** @param capacity a power of two */
    PieceCache(int capacity, int maxPieceLength) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.slots = new AtomicReferenceArray<>(capacity);
        this.mask = capacity - 1;
        this.maxPieceLength = maxPieceLength;
    }

    /** The ids cached for {@code piece}, or null. */
    int[] get(String piece) {
        Entry e = slots.get(slot(piece));
        return e != null && e.piece().equals(piece) ? e.ids() : null;
    }

    /** Keeps the ids of a piece no longer than the limit (longer ones are rare and would only cost memory). */
    void put(String piece, int[] ids) {
        if (piece.length() <= maxPieceLength) {
            slots.set(slot(piece), new Entry(piece, ids));
        }
    }

    /** Pieces held now (at most the capacity). */
    int size() {
        int n = 0;
        for (int i = 0; i < slots.length(); i++) {
            n += slots.get(i) == null ? 0 : 1;
        }
        return n;
    }

    int capacity() {
        return slots.length();
    }

    private int slot(String piece) {
        int h = piece.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }
}
