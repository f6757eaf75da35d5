package io.qwenimage.service;

import io.qwenimage.engine.model.ModelInfo;

/**
 * One model as the listings show it ({@code /info}, {@code /v1/models}, {@code /sdapi/v1/sd-models}).
 *
 * @param entry      how it is configured
 * @param state      where it is now
 * @param info       what it is (family, native size, ...), known once it has been loaded; null before
 * @param failure    why its last load failed, or null
 * @param isDefault  the model of requests that name none
 * @param activeJobs generations queued or running on it now
 */
public record ModelStatus(ModelEntry entry, ModelState state, ModelInfo info, String failure, boolean isDefault,
                          int activeJobs) {

    public String id() {
        return entry.id();
    }
}
