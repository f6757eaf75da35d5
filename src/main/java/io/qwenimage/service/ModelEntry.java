package io.qwenimage.service;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One model the service serves, as configured: its id (what requests name), where it is, and how it is served.
 *
 * @param id          what requests name it by ({@code model}, OpenAI's {@code model}, A1111's
 *                    {@code sd_model_checkpoint})
 * @param folder      the model folder, or empty for the demo bundled in the jar
 * @param loadAtStart loaded and warmed up before the service is ready; else loaded by its first request
 * @param device      auto, cpu or cuda
 * @param scheduler   the scheduler of requests that name none, or empty for the configured default
 * @param steps       the steps of requests that give none, or empty for the configured default
 * @param guidanceScale the guidance of requests that give none, or empty for the family's default
 */
public record ModelEntry(String id, Optional<Path> folder, boolean loadAtStart, String device,
                         Optional<String> scheduler, Optional<Integer> steps, Optional<Double> guidanceScale) {

    /** A model served with the service's defaults (the single-model path, the demos, a models directory's folders). */
    public static ModelEntry withDefaults(String id, Optional<Path> folder, boolean loadAtStart, String device) {
        return new ModelEntry(id, folder, loadAtStart, device, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Where it comes from, for operators (the public listings leave the file system out). */
    public String source() {
        return folder.map(Path::toString).orElse("(bundled demo model)");
    }
}
