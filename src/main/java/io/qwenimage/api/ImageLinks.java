package io.qwenimage.api;

import io.qwenimage.config.QwenConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pictures handed out as URLs ({@code response_format: url}): kept in memory under an unguessable id (128 random
 * bits) for {@code qwen.jobs.link-ttl}, with the same memory cap as job results; the oldest go first.
 */
@ApplicationScoped
public class ImageLinks {

    /** A stored picture. */
    public record Picture(byte[] bytes, String contentType, long expiresNanos) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Picture> pictures = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final long maxBytes;

    public ImageLinks(QwenConfig config) {
        this.ttlNanos = config.jobs().linkTtl().toNanos();
        this.maxBytes = config.jobs().maxResultBytes();
    }

    /** Stores a picture; returns its id. */
    public String put(byte[] bytes, String contentType) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        pictures.put(key, new Picture(bytes, contentType, System.nanoTime() + ttlNanos));
        evict();
        return key;
    }

    public Optional<Picture> get(String id) {
        Picture p = id == null ? null : pictures.get(id);
        return p != null && p.expiresNanos() - System.nanoTime() > 0 ? Optional.of(p) : Optional.empty();
    }

    private synchronized void evict() {
        long now = System.nanoTime();
        pictures.values().removeIf(p -> p.expiresNanos() - now <= 0);
        long total = pictures.values().stream().mapToLong(p -> p.bytes().length).sum();
        while (total > maxBytes && !pictures.isEmpty()) {
            var oldest = pictures.entrySet().stream()
                    .min(Comparator.comparingLong(e -> e.getValue().expiresNanos())).orElseThrow();
            pictures.remove(oldest.getKey());
            total -= oldest.getValue().bytes().length;
        }
    }
}
