package io.qwenimage.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The accepted API keys. An entry is {@code [name[:scope+scope]=]credential}, where the credential is the key
 * itself (at least 16 of {@code A-Z a-z 0-9 . _ ~ -}, e.g. {@code openssl rand -hex 32}) or {@code sha256:<64 hex>},
 * the SHA-256 of the key, so that configuration files need not hold secrets. The scope defaults to
 * {@code generate}; the name defaults to the key id.
 *
 * <p>Only hashes are kept. A presented key is hashed and compared with every accepted hash in constant time,
 * so neither the match nor its position leaks through timing.
 */
public final class ApiKeys {

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_.-]{1,64}(:[A-Za-z+]+)?");
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9._~-]{16,512}");
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-fA-F]{64}");
    private static final ApiKeys NONE = new ApiKeys(List.of());

    private final List<ApiKey> keys;

    private ApiKeys(List<ApiKey> keys) {
        this.keys = List.copyOf(keys);
    }

    public static ApiKeys none() {
        return NONE;
    }

    /**
     * Parses configured entries and the lines of an optional key file (blank lines and {@code #} comments
     * skipped).
     *
     * @throws IllegalArgumentException naming the first bad entry by position, never by its text
     */
    public static ApiKeys parse(List<String> entries, Optional<Path> file) {
        List<String> all = new ArrayList<>();
        entries.stream().map(String::trim).filter(e -> !e.isEmpty()).forEach(all::add);
        if (file.isPresent()) {
            try {
                for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
                    String t = line.trim();
                    if (!t.isEmpty() && !t.startsWith("#")) {
                        all.add(t);
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("the API key file " + file.get() + " cannot be read: " + e);
            }
        }
        List<ApiKey> keys = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < all.size(); i++) {
            ApiKey key = parseEntry(all.get(i), i + 1);
            if (seen.add(key.id())) {
                keys.add(key);
            }
        }
        return new ApiKeys(keys);
    }

    private static ApiKey parseEntry(String entry, int position) {
        String label = null;
        String credential = entry;
        int eq = entry.indexOf('=');
        if (eq > 0 && LABEL.matcher(entry.substring(0, eq)).matches()) {
            label = entry.substring(0, eq);
            credential = entry.substring(eq + 1).trim();
        }
        byte[] hash;
        if (HASH.matcher(credential).matches()) {
            hash = HexFormat.of().parseHex(credential.substring(7).toLowerCase(java.util.Locale.ROOT));
        } else if (SECRET.matcher(credential).matches()) {
            hash = sha256(credential);
        } else {
            throw new IllegalArgumentException("API key entry " + position + " is neither a key of at least 16 "
                    + "characters A-Z a-z 0-9 . _ ~ - (try: openssl rand -hex 32) nor sha256:<64 hex digits>");
        }
        String id = idOf(hash);
        String name = id;
        Set<ApiKeyScope> scopes = EnumSet.of(ApiKeyScope.GENERATE);
        if (label != null) {
            int colon = label.indexOf(':');
            name = colon < 0 ? label : label.substring(0, colon);
            if (colon >= 0) {
                scopes = EnumSet.noneOf(ApiKeyScope.class);
                for (String s : label.substring(colon + 1).split("\\+")) {
                    try {
                        scopes.add(ApiKeyScope.parse(s));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("API key entry " + position + ": " + e.getMessage());
                    }
                }
            }
        }
        return new ApiKey(id, name, scopes, hash);
    }

    /** The key that {@code presented} is, if any. Takes the same time whichever key matches, or none. */
    public Optional<ApiKey> verify(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 1024) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        ApiKey match = null;
        for (ApiKey key : keys) {
            // no early exit: every key is compared
            if (MessageDigest.isEqual(hash, key.sha256()) & match == null) {
                match = key;
            }
        }
        return Optional.ofNullable(match);
    }

    /** The short, loggable id of a presented key (whether or not it is accepted). */
    public static String idOf(String presented) {
        return idOf(sha256(presented));
    }

    private static String idOf(byte[] hash) {
        return "key-" + HexFormat.of().formatHex(hash, 0, 4);
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public List<ApiKey> all() {
        return keys;
    }

    /** SHA-256 of a key, as {@code sha256:<hex>}: what to put in configuration instead of the key. */
    public static String hashEntry(String secret) {
        return "sha256:" + HexFormat.of().formatHex(sha256(secret));
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
