package io.qwenimage.engine.image;

import io.qwenimage.engine.GenerationRequest;
import java.util.Locale;

/**
 * The AUTOMATIC1111 "parameters" text written into PNGs: the prompt, then "Negative prompt: ...", then one line
 * "Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: demo" (plus "Denoising strength"
 * for image-to-image). Tools that read A1111 PNG info (and A1111 itself) show it.
 */
public final class GenerationParameters {

    private GenerationParameters() {
    }

    /** The text for image {@code seed} of {@code request}, generated with model {@code model}. */
    public static String format(GenerationRequest request, long seed, String model) {
        StringBuilder sb = new StringBuilder(request.prompt());
        if (!request.negativePrompt().isEmpty()) {
            sb.append("\nNegative prompt: ").append(request.negativePrompt());
        }
        sb.append("\nSteps: ").append(request.steps())
                .append(", Sampler: ").append(samplerName(request.scheduler()))
                .append(", CFG scale: ").append(String.format(Locale.ROOT, "%s", trim(request.guidanceScale())))
                .append(", Seed: ").append(seed)
                .append(", Size: ").append(request.width()).append('x').append(request.height())
                .append(", Model: ").append(model);
        if (request.initImage() != null) {
            sb.append(", Denoising strength: ").append(trim(request.strength()));
        }
        return sb.toString();
    }

    /** A1111's display names of our schedulers. */
    public static String samplerName(io.qwenimage.engine.scheduler.SchedulerKind kind) {
        return switch (kind) {
            case EULER -> "Euler";
            case EULER_ANCESTRAL -> "Euler a";
            case DDIM -> "DDIM";
            case DPMPP_2M -> "DPM++ 2M";
            case DPMPP_2M_KARRAS -> "DPM++ 2M Karras";
            case PNDM -> "PLMS";
            case LCM -> "LCM";
            case FLOW_MATCH_EULER -> "Flow Match Euler";
        };
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
