package io.qwenimage.jobs;

/**
 * At which steps a job's caller wants a live preview: after every {@code every}-th step (progress streams,
 * AUTOMATIC1111's progress), or at {@code spread} steps spread evenly over the run (OpenAI's {@code partial_images}).
 * The last step never gets one: the finished picture follows at once.
 *
 * @param every  1 or more, or 0 with {@code spread}
 * @param spread 1 to 3 previews, or 0 with {@code every}
 */
public record PreviewSchedule(int every, int spread) {

    public PreviewSchedule {
        if ((every > 0) == (spread > 0) || every < 0 || spread < 0) {
            throw new IllegalArgumentException("a preview schedule is every k steps or n spread previews");
        }
    }

    /** A preview after every {@code k}-th step. */
    public static PreviewSchedule every(int k) {
        return new PreviewSchedule(k, 0);
    }

    /** {@code n} previews at evenly spread steps (n/(n+1) of the run, ...). */
    public static PreviewSchedule spread(int n) {
        return new PreviewSchedule(0, n);
    }

    /** True when a preview is wanted after {@code step} of {@code total}. */
    public boolean due(int step, int total) {
        if (step >= total) {
            return false;
        }
        if (every > 0) {
            return step % every == 0;
        }
        for (int i = 1; i <= spread; i++) {
            if (Math.max(1, Math.round((float) total * i / (spread + 1))) == step) {
                return true;
            }
        }
        return false;
    }
}
