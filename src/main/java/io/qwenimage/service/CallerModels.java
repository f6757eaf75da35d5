package io.qwenimage.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each caller's own default model, as AUTOMATIC1111's {@code POST /sdapi/v1/options} sets
 * {@code sd_model_checkpoint}: it changes what that caller's later requests get when they name no model, never
 * anyone else's (A1111 itself switches the model for every user, which is how one user's switch changed another's
 * pictures). Callers are API keys, so this holds at most one entry per configured key (plus the anonymous caller,
 * which every request shares when no keys are configured). Per replica, like A1111's own options.
 */
@ApplicationScoped
public class CallerModels {

    private final ConcurrentHashMap<String, String> chosen = new ConcurrentHashMap<>();

    /** The model {@code caller} chose, if any. */
    public Optional<String> of(String caller) {
        return Optional.ofNullable(chosen.get(caller));
    }

    /** {@code caller}'s requests that name no model get {@code model} from now on. */
    public void choose(String caller, String model) {
        chosen.put(caller, model);
    }
}
