package io.qwenimage.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same assertions against the packaged jar (run by failsafe in ./mvnw verify). */
@QuarkusIntegrationTest
class ImageToImageResourceIT extends ImageToImageResourceTest {
}
