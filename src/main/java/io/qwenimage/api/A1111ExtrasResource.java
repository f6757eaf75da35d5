package io.qwenimage.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.http.GenerationRoute;
import io.qwenimage.service.PictureIntake;
import io.qwenimage.service.Upscalers;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AUTOMATIC1111's {@code POST /sdapi/v1/extra-single-image}: one picture upscaled by {@code upscaling_resize} (default
 * 2), or to {@code upscaling_resize_w} x {@code upscaling_resize_h} with {@code resize_mode} 1, with
 * {@code upscaler_1} (ours, or a plain resize: {@link A1111Upscalers}); answers {@code {html_info, image}}. The
 * face restorers and the second upscaler are not here: asking for them is 422, not silently nothing.
 */
@GenerationRoute(measured = false)
@Path("/sdapi/v1")
public class A1111ExtrasResource {

    private final Upscalers upscalers;
    private final PictureIntake intake;
    private final QwenConfig config;

    public A1111ExtrasResource(Upscalers upscalers, PictureIntake intake, QwenConfig config) {
        this.upscalers = upscalers;
        this.intake = intake;
        this.config = config;
    }

    /** The fields of A1111's ExtrasSingleImageRequest this service reads (the rest is accepted and ignored). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ExtrasRequest(@JsonProperty("image") String image,
                                @JsonProperty("resize_mode") Integer resizeMode,
                                @JsonProperty("upscaling_resize") Double upscalingResize,
                                @JsonProperty("upscaling_resize_w") Integer upscalingResizeW,
                                @JsonProperty("upscaling_resize_h") Integer upscalingResizeH,
                                @JsonProperty("upscaler_1") String upscaler1,
                                @JsonProperty("upscaler_2") String upscaler2,
                                @JsonProperty("extras_upscaler_2_visibility") Double upscaler2Visibility,
                                @JsonProperty("gfpgan_visibility") Double gfpganVisibility,
                                @JsonProperty("codeformer_visibility") Double codeformerVisibility) {
    }

    @POST
    @Path("/extra-single-image")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> extraSingleImage(ExtrasRequest body) {
        if (body == null || body.image() == null || body.image().isBlank()) {
            throw ServiceException.invalid("image", "image (base64) is required");
        }
        refuseUnsupported(body);
        boolean byModel = A1111Upscalers.byModel(body.upscaler1(), upscalers.enabled() ? upscalers.info() : null,
                "upscaler_1");
        byte[] bytes = UploadedValues.base64Picture(body.image(), "image", config.server().maxFileSize());
        return intake.withPicture(bytes, (place, picture) -> {
            int[] size = size(body, picture);
            double factor = Math.max((double) size[0] / picture.width(), (double) size[1] / picture.height());
            String how = byModel ? "Upscaler: " + upscalers.info().name() : "Resize";
            if (byModel && factor > 1) {
                return upscalers.upscale(picture, factor, "upscaling_resize", place, up -> answer(up, size, how));
            }
            // a plain resize: no model, so no queue place; still off the event loop (a large picture's PNG)
            place.close();
            return Uni.createFrom().item(() -> answer(picture, size, how))
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        });
    }

    /** A1111's {@code {html_info, image}}: the picture resized to {@code size}, as PNG. */
    private static Map<String, Object> answer(RgbImage picture, int[] size, String how) {
        RgbImage out = ImageTensors.resize(picture, size[0], size[1]);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("html_info", "<p>" + how + ", " + out.width() + "x" + out.height() + "</p>");
        answer.put("image", Base64.getEncoder().encodeToString(ImageCodec.encodePng(out, Map.of())));
        return answer;
    }

    /** The picture's size after the extras: by factor (mode 0) or to the given size (mode 1), within the limits. */
    private int[] size(ExtrasRequest body, RgbImage picture) {
        int mode = body.resizeMode() == null ? 0 : body.resizeMode();
        int[] size;
        if (mode == 1) {
            if (body.upscalingResizeW() == null || body.upscalingResizeH() == null || body.upscalingResizeW() < 1
                    || body.upscalingResizeH() < 1) {
                throw ServiceException.invalid("upscaling_resize_w", "resize_mode 1 needs upscaling_resize_w and "
                        + "upscaling_resize_h");
            }
            size = new int[] {body.upscalingResizeW(), body.upscalingResizeH()};
        } else if (mode == 0) {
            double factor = body.upscalingResize() == null ? 2.0 : body.upscalingResize();
            if (!(factor >= 1 && factor <= 8)) {
                throw ServiceException.invalid("upscaling_resize", "upscaling_resize must be between 1 and 8, got "
                        + factor);
            }
            size = Upscalers.target(picture.width(), picture.height(), factor);
        } else {
            throw ServiceException.invalid("resize_mode", "resize_mode must be 0 (by factor) or 1 (to a size)");
        }
        if ((long) size[0] * size[1] > config.upscaler().maxOutputPixels()) {
            throw ServiceException.invalid("upscaling_resize", size[0] + "x" + size[1] + " is more than "
                    + config.upscaler().maxOutputPixels() + " pixels (qwen.upscaler.max-output-pixels)");
        }
        return size;
    }

    private static void refuseUnsupported(ExtrasRequest body) {
        if (body.gfpganVisibility() != null && body.gfpganVisibility() > 0
                || body.codeformerVisibility() != null && body.codeformerVisibility() > 0) {
            throw ServiceException.invalid("gfpgan_visibility", "face restoration (GFPGAN, CodeFormer) is not "
                    + "served here; send 0");
        }
        if (body.upscaler2Visibility() != null && body.upscaler2Visibility() > 0 && body.upscaler2() != null
                && !body.upscaler2().equalsIgnoreCase("None")) {
            throw ServiceException.invalid("upscaler_2", "a second upscaler is not served here; send "
                    + "extras_upscaler_2_visibility 0");
        }
    }
}
