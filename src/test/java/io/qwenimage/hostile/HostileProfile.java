package io.qwenimage.hostile;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * One worker, one waiting place, two callers and a result share that holds one finished job per caller, four progress streams per job and a three-second drain
 * timeout: the
 * queue is easy to fill, and one caller's jobs can be set against the other's. Shared by the {@code @QuarkusTest} hostile tests so that they run in one application start.
 */
public class HostileProfile implements QuarkusTestProfile {

    public static final String KEY_A = "hostile-a-0123456789abcdef";
    public static final String KEY_B = "hostile-b-0123456789abcdef";
    /**
     * A caller only the idempotency replay test uses: with a one-byte result share, any later finished job of the
     * same caller (another test class shares this application) evicts the stored one, and a replay then becomes a
     * new job.
     */
    public static final String KEY_REPLAY = "hostile-replay-0123456789abcdef";

    /** A job that takes a second or two on the demo model: long enough to hold the worker. */
    public static final String SLOW = "{\"prompt\": \"a red circle\", \"width\": 512, \"height\": 512, "
            + "\"num_inference_steps\": 60}";

    /** A job that is done at once. */
    public static final String FAST = "{\"prompt\": \"a blue square\", \"seed\": 7, \"width\": 64, \"height\": 64, "
            + "\"num_inference_steps\": 2}";

    @Override
    public Map<String, String> getConfigOverrides() {
        // a share of one byte: each caller keeps only its newest finished result
        return Map.of("qwen.queue.workers", "1", "qwen.queue.capacity", "1",
                "qwen.security.api-keys", KEY_A + "," + KEY_B + "," + KEY_REPLAY, "qwen.jobs.max-result-bytes-per-owner", "1",
                "qwen.jobs.events-max-subscribers-per-job", "4", "qwen.jobs.events-drain-timeout", "3s");
    }
}
