package io.qwenimage.api;

import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.http.GenerationRoute;
import io.qwenimage.service.GenerationService;
import io.qwenimage.service.PictureIntake;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

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
    public Uni<Response> multipart(@BeanParam ImageToImageForm form, @HeaderParam("Accept") String accept,
                                   @HeaderParam("Prefer") String prefer,
                                   @HeaderParam("Idempotency-Key") String idempotencyKey) {
        return multipart(form, GenerationResponder.prefersAsync(prefer) ? Delivery.job(idempotencyKey)
                : Delivery.answer(accept));
    }

    /** The form's generation, answered now or as a job ({@code POST /jobs} comes here too). */
    Uni<Response> multipart(ImageToImageForm form, Delivery delivery) {
        byte[] bytes = UploadedValues.file(form.image, "image", config.server().maxFileSize());
        return generate(bytes, form.image.fileName(), form.prompt, form.negativePrompt,
                UploadedValues.number(form.strength, "strength"), UploadedValues.integer(form.width, "width"),
                UploadedValues.integer(form.height, "height"),
                UploadedValues.integer(form.steps, "num_inference_steps"),
                new Guidance(UploadedValues.number(form.guidance, "guidance_scale"),
                        UploadedValues.number(form.trueCfg, "true_cfg_scale")),
                UploadedValues.wholeNumber(form.seed, "seed"), UploadedValues.integer(form.numImages, "num_images"),
                form.scheduler, form.outputFormat, delivery);
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
                body.seed(), body.numImages(), body.scheduler(), body.outputFormat(),
                GenerationResponder.prefersAsync(prefer) ? Delivery.job(idempotencyKey) : Delivery.answer(accept));
    }

    private Uni<Response> generate(byte[] bytes, String fileName, String prompt, String negative, Double strength,
                                   Integer width, Integer height, Integer steps, Guidance guidance, Long seed,
                                   Integer numImages, String scheduler, String outputFormat, Delivery delivery) {
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
            if (delivery.asJob()) {
                return responder.respondAsync(admission, request, mapper.outputFormat(outputFormat), extra,
                        delivery.idempotencyKey());
            }
            String format = GenerationResponder.format(delivery.accept(), mapper.outputFormat(outputFormat));
            return responder.respond(admission, request, delivery.accept(), format, extra);
        });
    }
}
