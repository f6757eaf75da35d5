package io.qwenimage.testing;

import static io.restassured.RestAssured.given;

/** Waits for the service under test to finish loading its model (it loads in the background). */
public final class ServiceReady {

    private ServiceReady() {
    }

    /** Polls /health until 200, for at most a minute. */
    public static void await() throws InterruptedException {
        for (int i = 0; i < 600 && given().get("/health").statusCode() != 200; i++) {
            Thread.sleep(100);
        }
    }
}
