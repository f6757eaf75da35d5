package io.qwenimage.api;

import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.http.GenerationRoute;
import io.qwenimage.service.GenerationService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * POST /image-to-image: the seed's multipart form ({@code image}, {@code prompt}, {@code strength},
 * {@code width}, {@code height}, {@code num_inference_steps}) plus our fields, or the same as JSON with a base64
 * picture. The picture's size is checked from its header before it is decoded, and it is decoded off the event
 * loop once the request has its place in the queue ({@link PictureIntake}).
 */
@GenerationRoute
@Path("/image-to-image")
public class ImageToImageResource {

    private final GenerationService service;
    private final RequestMapper mapper;
    private final GenerationResponder responder;
    private final QwenConfig config;
    private final PictureIntake intake;

    public ImageToImageResource(GenerationService service, RequestMapper mapper, GenerationResponder responder,
                                QwenConfig config, PictureIntake intake) {
        this.intake = intake;
        this.service = service;
        this.mapper = mapper;
        this.responder = responder;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces({MediaType.APPLICATION_JSON, "image/png", "image/jpeg"})
    public Uni<Response> multipart(@RestForm("image") FileUpload image, @RestForm String prompt,
                                   @RestForm("negative_prompt") String negativePrompt, @RestForm String strength,
                                   @RestForm String width, @RestForm String height,
                                   @RestForm("num_inference_steps") String steps,
                                   @RestForm("guidance_scale") String guidance,
                                   @RestForm("true_cfg_scale") String trueCfg, @RestForm String seed,
                                   @RestForm("num_images") String numImages, @RestForm String scheduler,
                                   @RestForm("output_format") String outputFormat,
                                   @HeaderParam("Accept") String accept, @HeaderParam("Prefer") String prefer,
                                   @HeaderParam("Idempotency-Key") String idempotencyKey) {
        byte[] bytes = UploadedValues.file(image, "image", config.server().maxFileSize());
        return generate(bytes, image.fileName(), prompt, negativePrompt, UploadedValues.number(strength, "strength"),
                UploadedValues.integer(width, "width"), UploadedValues.integer(height, "height"), UploadedValues.integer(steps, "num_inference_steps"),
                new Guidance(UploadedValues.number(guidance, "guidance_scale"),
                        UploadedValues.number(trueCfg, "true_cfg_scale")), UploadedValues.wholeNumber(seed, "seed"), UploadedValues.integer(numImages, "num_images"),
                scheduler, outputFormat, accept, prefer, idempotencyKey);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, "image/png", "image/jpeg"})
    public Uni<Response> json(ImageToImageJsonRequest body, @HeaderParam("Accept") String accept,
                              @HeaderParam("Prefer") String prefer,
                              @HeaderParam("Idempotency-Key") String idempotencyKey) {
        if (body == null || body.image() == null || body.image().isBlank()) {
            throw ServiceException.invalid("image", "\"image\" (base64) is required");
        }
        byte[] bytes = UploadedValues.base64Picture(body.image(), "image", config.server().maxFileSize());
        return generate(bytes, null, body.prompt(), body.negativePrompt(), body.strength(), body.width(),
                body.height(), body.numInferenceSteps(), new Guidance(body.guidanceScale(), body.trueCfgScale()),
                body.seed(), body.numImages(),
                body.scheduler(), body.outputFormat(), accept, prefer, idempotencyKey);
    }

    private Uni<Response> generate(byte[] bytes, String fileName, String prompt, String negative, Double strength,
                                   Integer width, Integer height, Integer steps, Guidance guidance, Long seed,
                                   Integer numImages, String scheduler, String outputFormat, String accept,
                                   String prefer, String idempotencyKey) {
        ModelInfo model = service.readyModel();
        if (!model.imageToImage()) {
            throw new ServiceException(ErrorCode.VALIDATION_ERROR, "the loaded model has no vae_encoder, so it cannot do image-to-image", Map.of());
        }
        return intake.withPicture(bytes, (admission, input) -> {
            GenerationRequest request = mapper.imageToImage(prompt, negative, width, height, steps, guidance, seed,
                    numImages, scheduler, strength, input, model);
            Map<String, Object> extra = new LinkedHashMap<>();
            Map<String, Object> inputInfo = new LinkedHashMap<>();
            inputInfo.put("original_width", input.width());
            inputInfo.put("original_height", input.height());
            if (fileName != null) {
                inputInfo.put("filename", fileName);
            }
            extra.put("input_image", inputInfo);
            if (GenerationResponder.prefersAsync(prefer)) {
                return responder.respondAsync(admission, request, mapper.outputFormat(outputFormat), extra,
                        idempotencyKey);
            }
            String format = GenerationResponder.format(accept, mapper.outputFormat(outputFormat));
            return responder.respond(admission, request, accept, format, extra);
        });
    }
}
