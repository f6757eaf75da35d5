package io.qwenimage.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HttpSettingsCheckTest {

    @Test
    void anyOriginWithCredentialsIsRefused() {
        assertThat(HttpSettingsCheck.problems(true, List.of("*"), true, false, List.of()))
                .singleElement().asString().contains("quarkus.http.cors.origins");
        assertThat(HttpSettingsCheck.problems(true, List.of("/.*/"), true, false, List.of())).hasSize(1);
        assertThat(HttpSettingsCheck.problems(true, List.of("*"), false, false, List.of())).isEmpty();
        assertThat(HttpSettingsCheck.problems(true, List.of("https://app.example"), true, false, List.of()))
                .isEmpty();
    }

    @Test
    void forwardedAddressesNeedTrustedProxies() {
        assertThat(HttpSettingsCheck.problems(false, List.of(), false, true, List.of()))
                .singleElement().asString().contains("trusted-proxies");
        assertThat(HttpSettingsCheck.problems(false, List.of(), false, true, List.of("10.0.0.0/8"))).isEmpty();
    }
}
