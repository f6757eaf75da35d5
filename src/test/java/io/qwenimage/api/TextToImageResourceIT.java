package io.qwenimage.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same assertions against the packaged jar (run by failsafe in ./mvnw verify). */
@QuarkusIntegrationTest
class TextToImageResourceIT extends TextToImageResourceTest {

    @Override
    protected int configuredCapacity() {
        return 8;       // config/config.yaml, read by the jar from the working directory
    }
}
