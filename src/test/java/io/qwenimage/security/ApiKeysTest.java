package io.qwenimage.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

    static final String ALICE = "alice-key-0123456789abcdef";
    static final String OPS = "ops-key-fedcba9876543210";

    @Test
    void plainAndHashedKeysWithNamesAndScopesAreAccepted() {
        ApiKeys keys = ApiKeys.parse(List.of("alice=" + ALICE, "ops:admin=" + ApiKeys.hashEntry(OPS),
                "0123456789abcdef0123"), Optional.empty());

        ApiKey alice = keys.verify(ALICE).orElseThrow();
        assertThat(alice.name()).isEqualTo("alice");
        assertThat(alice.scopes()).containsExactly(ApiKeyScope.GENERATE);
        assertThat(alice.allows(ApiKeyScope.ADMIN)).isFalse();

        ApiKey ops = keys.verify(OPS).orElseThrow();
        assertThat(ops.name()).isEqualTo("ops");
        assertThat(ops.allows(ApiKeyScope.ADMIN)).isTrue();
        assertThat(ops.allows(ApiKeyScope.GENERATE)).as("admin includes generate").isTrue();

        ApiKey unnamed = keys.verify("0123456789abcdef0123").orElseThrow();
        assertThat(unnamed.name()).isEqualTo(unnamed.id()).startsWith("key-").hasSize(12);
    }

    @Test
    void wrongEmptyAndNearMissKeysAreRefused() {
        ApiKeys keys = ApiKeys.parse(List.of(ALICE), Optional.empty());
        assertThat(keys.verify(ALICE + "x")).isEmpty();
        assertThat(keys.verify(ALICE.substring(1))).isEmpty();
        assertThat(keys.verify("")).isEmpty();
        assertThat(keys.verify(null)).isEmpty();
        assertThat(keys.verify(ALICE.toUpperCase())).isEmpty();
    }

    @Test
    void theIdIsAShortHashThatDoesNotRevealTheKey() {
        String id = ApiKeys.idOf(ALICE);
        assertThat(id).matches("key-[0-9a-f]{8}").doesNotContain(ALICE.substring(0, 6));
        ApiKeys keys = ApiKeys.parse(List.of(ApiKeys.hashEntry(ALICE)), Optional.empty());
        assertThat(keys.all().get(0).id()).as("a hashed entry has the same id as the key").isEqualTo(id);
        assertThat(keys.all().get(0).toString()).doesNotContain(ALICE);
    }

    @Test
    void badEntriesAreRefusedWithoutEchoingThem() {
        String shortKey = "short-secret";
        assertThatThrownBy(() -> ApiKeys.parse(List.of(ALICE, shortKey), Optional.empty()))
                .hasMessageContaining("entry 2").hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> ApiKeys.parse(List.of("abc+def/ghi=jklmnopqrstuv=="), Optional.empty()))
                .hasMessageContaining("openssl rand -hex 32");
        assertThatThrownBy(() -> ApiKeys.parse(List.of("bob:root=" + ALICE), Optional.empty()))
                .hasMessageContaining("unknown scope 'root'").hasMessageNotContaining(ALICE);
        assertThatThrownBy(() -> ApiKeys.parse(List.of("sha256:abc"), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aKeyFileAddsEntriesSkippingCommentsAndBlankLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# rotated 2026-11\n\nalice=" + ALICE + "\n  ops:admin+generate=" + OPS + "  \n");
        ApiKeys keys = ApiKeys.parse(List.of(), Optional.of(file));
        assertThat(keys.all()).extracting(ApiKey::name).containsExactly("alice", "ops");
        assertThat(keys.verify(OPS).orElseThrow().scopes()).containsExactlyInAnyOrder(ApiKeyScope.ADMIN,
                ApiKeyScope.GENERATE);
        assertThatThrownBy(() -> ApiKeys.parse(List.of(), Optional.of(dir.resolve("missing"))))
                .hasMessageContaining("cannot be read");
    }

    @Test
    void noEntriesMeansAuthOff() {
        assertThat(ApiKeys.parse(List.of(" ", ""), Optional.empty()).isEmpty()).isTrue();
        assertThat(ApiKeys.none().verify(ALICE)).isEmpty();
    }
}
