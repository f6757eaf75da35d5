package io.qwenimage.observability;

import io.qwenimage.config.QwenConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One line per generation request on {@code io.qwenimage.audit}: who (key id, client address), what (endpoint,
 * size, steps, scheduler, seed, images, prompt length and SHA-256), how it ended and how long it waited and ran.
 * The prompt itself only with {@code qwen.log.prompts=true}: prompts can be personal data.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger AUDIT = Logger.getLogger("io.qwenimage.audit");

    private final boolean prompts;

    public AuditLog(QwenConfig config) {
        this.prompts = config.log().prompts();
    }

    void log(GenerationRecord r, Outcome outcome, int status) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("outcome", outcome.tag());
        f.put("status", status);
        f.put("endpoint", r.endpoint());
        f.put("key_id", r.caller() == null || r.caller().anonymous() ? "anonymous" : r.caller().id());
        f.put("client_ip", r.caller() == null ? null : r.caller().address());
        var q = r.request();
        if (q != null) {
            f.put("model", r.model());
            f.put("width", q.width());
            f.put("height", q.height());
            f.put("steps", q.steps());
            f.put("scheduler", q.scheduler().apiName());
            f.put("seed", q.seed());
            f.put("images", q.numImages());
            f.put("prompt_chars", q.prompt().length());
            f.put("prompt_sha256", sha256(q.prompt()));
            if (prompts) {
                f.put("prompt", q.prompt().replace('\n', ' '));
            }
        }
        f.put("queue_ms", r.queueWaitNanos() < 0 ? null : r.queueWaitNanos() / 1_000_000);
        f.put("run_ms", r.runNanos() < 0 ? null : r.runNanos() / 1_000_000);
        StructuredLog.info(AUDIT, "generation", f);
    }

    // MessageDigest.getInstance walks the security providers on every call: one digest per event-loop thread
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    static String sha256(String text) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
