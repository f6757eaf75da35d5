package io.qwenimage.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AccessRulesTest {

    @Test
    void healthIsAlwaysPublicAdminIsAdminTheRestNeedsAKey() {
        AccessRules rules = new AccessRules(List.of());
        assertThat(rules.classify("/health")).isEqualTo(RouteAccess.PUBLIC);
        assertThat(rules.classify("/q/health/ready")).isEqualTo(RouteAccess.PUBLIC);
        assertThat(rules.classify("/q/health")).isEqualTo(RouteAccess.PUBLIC);
        assertThat(rules.classify("/admin/keys")).isEqualTo(RouteAccess.ADMIN);
        assertThat(rules.classify("/admin")).isEqualTo(RouteAccess.ADMIN);
        assertThat(rules.classify("/info")).isEqualTo(RouteAccess.GENERATE);
        assertThat(rules.classify("/text-to-image")).isEqualTo(RouteAccess.GENERATE);
        assertThat(rules.classify("/administrator")).isEqualTo(RouteAccess.GENERATE);
        assertThat(rules.classify("/healthz")).isEqualTo(RouteAccess.GENERATE);
    }

    @Test
    void configuredPathsAreExactOrPrefixes() {
        AccessRules rules = new AccessRules(List.of("/", "/info", "/q/swagger-ui*"));
        assertThat(rules.classify("/")).isEqualTo(RouteAccess.PUBLIC);
        assertThat(rules.classify("")).isEqualTo(RouteAccess.PUBLIC);
        assertThat(rules.classify("/info")).isEqualTo(RouteAccess.PUBLIC);
        assertThat(rules.classify("/info/x")).isEqualTo(RouteAccess.GENERATE);
        assertThat(rules.classify("/q/swagger-ui/index.html")).isEqualTo(RouteAccess.PUBLIC);
        assertThat(rules.classify("/text-to-image")).isEqualTo(RouteAccess.GENERATE);
        assertThatThrownBy(() -> new AccessRules(List.of("info"))).hasMessageContaining("must start with /");
    }
}
