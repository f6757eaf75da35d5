package io.qwenimage.api;

import io.qwenimage.engine.image.GenerationParameters;
import io.qwenimage.engine.scheduler.SchedulerKind;
import java.util.Locale;

/** AUTOMATIC1111's sampler names (GenerationParameters' display names) to our schedulers. */
final class A1111Samplers {

    private A1111Samplers() {
    }

    /**
     * The scheduler for a sampler name (A1111's, or ours), with A1111's separate {@code scheduler: "Karras"};
     * null when none is given.
     */
    static String apiName(String sampler, String schedule) {
        if (sampler == null || sampler.isBlank()) {
            return null;
        }
        String name = sampler.trim();
        if (schedule != null && schedule.trim().equalsIgnoreCase("karras") && !name.endsWith("Karras")) {
            name = name + " Karras";
        }
        for (SchedulerKind kind : SchedulerKind.values()) {
            if (GenerationParameters.samplerName(kind).equalsIgnoreCase(name)) {
                return kind.apiName();
            }
        }
        return name.toLowerCase(Locale.ROOT); // ours (e.g. dpmpp_2m), or refused with the list by the mapper
    }
}
