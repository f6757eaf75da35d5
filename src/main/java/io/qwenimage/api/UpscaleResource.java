package io.qwenimage.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.http.GenerationRoute;
import io.qwenimage.service.PictureIntake;
import io.qwenimage.service.Upscalers;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * {@code POST /upscale}: a picture made {@code scale} times larger (default: the upscaler's own scale) by the
 * configured ONNX upscaler, as a multipart {@code image} file or JSON with a base64 {@code image}. Answers JSON
 * ({@code image} base64 and {@code metadata}), or the picture's bytes for {@code Accept: image/png|jpeg}. Rate
 * limited like a generation and queued with them (same deadline); too large a result is 422 before any work.
 */
@GenerationRoute(measured = false)
@Path("/upscale")
public class UpscaleResource {

    private final Upscalers upscalers;
    private final PictureIntake intake;
    private final QwenConfig config;

    public UpscaleResource(Upscalers upscalers, PictureIntake intake, QwenConfig config) {
        this.upscalers = upscalers;
        this.intake = intake;
        this.config = config;
    }

    /** The JSON body: {@code image} base64 (a data URL is fine), {@code scale}, {@code output_format}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UpscaleRequest(@JsonProperty("image") String image, @JsonProperty("scale") Double scale,
                                 @JsonProperty("output_format") String outputFormat) {
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces({MediaType.APPLICATION_JSON, "image/png", "image/jpeg"})
    public Uni<Response> form(@RestForm("image") FileUpload image, @RestForm String scale,
                              @RestForm("output_format") String outputFormat, @HeaderParam("Accept") String accept) {
        byte[] bytes = UploadedValues.file(image, "image", config.server().maxFileSize());
        return upscale(bytes, UploadedValues.number(scale, "scale"), outputFormat, accept);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, "image/png", "image/jpeg"})
    public Uni<Response> json(UpscaleRequest body, @HeaderParam("Accept") String accept) {
        if (body == null || body.image() == null || body.image().isBlank()) {
            throw ServiceException.invalid("image", "a JSON body with \"image\" (base64) is required");
        }
        return upscale(UploadedValues.base64Picture(body.image(), "image", config.server().maxFileSize()), body.scale(),
                body.outputFormat(), accept);
    }

    private Uni<Response> upscale(byte[] bytes, Double scale, String outputFormat, String accept) {
        String format = NativeAnswers.format(accept, outputFormat == null ? "png"
                : outputFormat.toLowerCase(Locale.ROOT));
        if (!format.equals("png") && !format.equals("jpeg")) {
            throw ServiceException.invalid("output_format", "output_format must be png or jpeg, not '"
                    + outputFormat + "'");
        }
        Upscalers.Info upscaler = upscalers.info();
        double factor = scale == null ? upscaler.scale() : scale;
        long t0 = System.nanoTime();
        return intake.withPicture(bytes, (place, picture) -> {
            return upscalers.upscale(picture, factor, "scale", place, out -> answer(picture, out, factor, upscaler, format,
                    accept, (System.nanoTime() - t0) / 1e9));
        });
    }

    private static Response answer(RgbImage in, RgbImage out, double factor, Upscalers.Info upscaler, String format,
                                   String accept, double seconds) {
        byte[] encoded = format.equals("jpeg") ? ImageCodec.encodeJpeg(out, 0.95f) : ImageCodec.encodePng(out,
                Map.of());
        String type = format.equals("jpeg") ? "image/jpeg" : "image/png";
        if (NativeAnswers.wantsRaw(accept)) {
            return Response.ok(encoded, type).build();
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("width", out.width());
        metadata.put("height", out.height());
        metadata.put("input_width", in.width());
        metadata.put("input_height", in.height());
        metadata.put("scale", factor);
        metadata.put("upscaler", upscaler.name());
        metadata.put("model_scale", upscaler.scale());
        metadata.put("format", format.toUpperCase(Locale.ROOT));
        metadata.put("inference_time", Math.round(seconds * 1000) / 1000.0);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("image", Base64.getEncoder().encodeToString(encoded));
        body.put("metadata", metadata);
        return Response.ok(body).type(MediaType.APPLICATION_JSON).build();
    }
}
