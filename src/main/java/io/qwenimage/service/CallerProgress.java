package io.qwenimage.service;

/**
 * How far the caller's current generation is, for AUTOMATIC1111's {@code /sdapi/v1/progress}: its running one, or
 * else its oldest queued one.
 *
 * @param jobCount   the caller's queued and running generations
 * @param step       the denoising step done (0 when none runs)
 * @param totalSteps the steps it runs (0 when none)
 * @param etaSeconds the estimated seconds to its end (0 when unknown)
 * @param state      {@code queued}, {@code running}, ..., or null when the caller has none
 * @param preview    the running generation's latest live preview (base64 PNG), or null
 */
public record CallerProgress(int jobCount, int step, int totalSteps, double etaSeconds, String state,
                             String preview) {

    /** The fraction of the steps done, 0 to 1. */
    public double fraction() {
        return totalSteps == 0 ? 0 : (double) step / totalSteps;
    }
}
