package io.qwenimage.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.testing.ServiceReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.PemCertificateFiles;
import io.smallrye.certs.Pkcs12CertificateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS from PEM files ({@code qwen.server.tls-cert}/{@code tls-key}): a self-signed certificate made for the test,
 * HTTPS answers, plain HTTP redirects there, and HTTPS responses carry HSTS.
 */
@QuarkusTest
@TestProfile(TlsTest.SelfSigned.class)
class TlsTest {

    static final int HTTPS_PORT = 8444;
    static final String PASSWORD = "test-password";
    static Path trustStore;

    /** Generates the certificate before the service starts and points Quarkus' TLS configuration at it. */
    public static class SelfSigned implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path dir = Files.createTempDirectory("qwen-tls");
                var files = new CertificateGenerator(dir, true).generate(new CertificateRequest()
                        .withName("qwen").withCN("localhost").withSubjectAlternativeName("DNS:localhost")
                        .withFormats(java.util.List.of(Format.PEM, Format.PKCS12)).withPassword(PASSWORD));
                PemCertificateFiles pem = (PemCertificateFiles) files.stream()
                        .filter(f -> f instanceof PemCertificateFiles).findFirst().orElseThrow();
                Pkcs12CertificateFiles p12 = (Pkcs12CertificateFiles) files.stream()
                        .filter(f -> f instanceof Pkcs12CertificateFiles).findFirst().orElseThrow();
                trustStore = p12.trustStore();
                return Map.of("qwen.server.tls-cert", pem.certFile().toString(),
                        "qwen.server.tls-key", pem.keyFile().toString(),
                        "quarkus.http.test-ssl-port", String.valueOf(HTTPS_PORT),
                        "quarkus.http.insecure-requests", "redirect");
            } catch (Exception e) {
                throw new IllegalStateException("cannot make the test certificate", e);
            }
        }
    }

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        for (int i = 0; i < 600 && https().get("/health").statusCode() != 200; i++) {
            Thread.sleep(100);
        }
    }

    static io.restassured.specification.RequestSpecification https() {
        return given().baseUri("https://localhost").port(HTTPS_PORT)
                .trustStore(trustStore.toFile(), PASSWORD);
    }

    @Test
    void aGenerationOverHttpsSucceedsWithHsts() {
        Response r = https().contentType(ContentType.JSON)
                .body("{\"prompt\": \"a red circle\", \"num_inference_steps\": 2}").post("/text-to-image");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.<Boolean>path("success")).isTrue();
        assertThat(r.header("Strict-Transport-Security")).startsWith("max-age=");
    }

    @Test
    void plainHttpIsRedirectedToHttps() {
        Response r = given().baseUri("http://localhost").port(8081).redirects().follow(false).get("/health");
        assertThat(r.statusCode()).isIn(301, 302, 307, 308);
        assertThat(r.header("Location")).startsWith("https://").contains(":" + HTTPS_PORT + "/health");
    }
}
