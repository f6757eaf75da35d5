package io.qwenimage.hostile;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The configuration of the upload and request-limit hostile tests (one application start for both): no rate limit, since they send
 * many requests from one address, and room in the queue for a flood.
 */
public class UploadFloodProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("qwen.security.rate-limit.enabled", "false", "qwen.queue.capacity", "32",
                "qwen.queue.workers", "1");
    }
}
