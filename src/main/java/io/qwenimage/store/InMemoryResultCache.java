package io.qwenimage.store;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The result cache of a single instance: least recently used answers go first past {@code maxBytes}. */
public final class InMemoryResultCache implements ResultCache {

    private record Kept(CachedAnswer answer, long expiresNanos) {
    }

    private final Duration ttl;
    private final long maxBytes;
    private final LinkedHashMap<String, Kept> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public InMemoryResultCache(Duration ttl, long maxBytes) {
        this.ttl = ttl;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized Optional<CachedAnswer> get(String key) {
        Kept kept = entries.get(key);
        if (kept == null) {
            return Optional.empty();
        }
        if (kept.expiresNanos() - System.nanoTime() < 0) {
            entries.remove(key);
            bytes -= kept.answer().bytes();
            return Optional.empty();
        }
        return Optional.of(kept.answer());
    }

    @Override
    public synchronized void put(String key, CachedAnswer answer) {
        if (answer.bytes() > maxBytes) {
            return;
        }
        Kept old = entries.put(key, new Kept(answer, System.nanoTime() + ttl.toNanos()));
        bytes += answer.bytes() - (old == null ? 0 : old.answer().bytes());
        for (Iterator<Map.Entry<String, Kept>> it = entries.entrySet().iterator(); it.hasNext() && bytes > maxBytes; ) {
            bytes -= it.next().getValue().answer().bytes();
            it.remove();
        }
    }
}
