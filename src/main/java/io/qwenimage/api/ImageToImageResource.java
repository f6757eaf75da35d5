package io.qwenimage.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.config.QwenConfig;
import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.InpaintMask;
import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import io.qwenimage.engine.model.ModelInfo;
import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import io.qwenimage.http.GenerationRoute;
import io.qwenimage.service.GenerationCommand;
import io.qwenimage.service.Generations;
import io.qwenimage.service.InputPicture;
import io.qwenimage.service.PictureFinish;
import io.qwenimage.service.PictureIntake;
import io.qwenimage.service.Upscalers;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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

    private final Generations generations;
    private final RequestMapper mapper;
    private final QwenConfig config;
    private final PictureIntake intake;
    private final Upscalers upscalers;
    private final ObjectMapper json;

    public ImageToImageResource(Generations generations, RequestMapper mapper, QwenConfig config,
                                PictureIntake intake, Upscalers upscalers, ObjectMapper json) {
        this.upscalers = upscalers;
        this.json = json;
        this.generations = generations;
        this.mapper = mapper;
        this.config = config;
        this.intake = intake;
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces({MediaType.APPLICATION_JSON, "image/png", "image/jpeg"})
    public Uni<Response> multipart(@BeanParam ImageToImageForm form, @HeaderParam("Accept") String accept,
                                   @HeaderParam("Prefer") String prefer,
                                   @HeaderParam("Idempotency-Key") String idempotencyKey) {
        return multipart(form, NativeAnswers.prefersAsync(prefer) ? Delivery.job(idempotencyKey)
                : Delivery.answer(accept));
    }

    /** The form's generation, answered now or as a job ({@code POST /jobs} comes here too). */
    Uni<Response> multipart(ImageToImageForm form, Delivery delivery) {
        byte[] bytes = UploadedValues.file(form.image, "image", config.server().maxFileSize());
        RequestFields fields = new RequestFields(form.prompt, form.negativePrompt,
                UploadedValues.integer(form.width, "width"), UploadedValues.integer(form.height, "height"),
                UploadedValues.integer(form.steps, "num_inference_steps"),
                new Guidance(UploadedValues.number(form.guidance, "guidance_scale"),
                        UploadedValues.number(form.trueCfg, "true_cfg_scale")),
                UploadedValues.wholeNumber(form.seed, "seed"), UploadedValues.integer(form.numImages, "num_images"),
                form.scheduler);
        byte[] mask = form.mask == null || form.mask.uploadedFile() == null ? null
                : UploadedValues.file(form.mask, "mask", config.server().maxFileSize());
        return generate(new Upload(bytes, form.image.fileName(), mask,
                        UploadedValues.integer(form.maskBlur, "mask_blur"),
                        UploadedValues.number(form.upscale, "upscale")), form.model, fields,
                UploadedValues.number(form.strength, "strength"), form.outputFormat, delivery);
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
        RequestFields fields = new RequestFields(body.prompt(), body.negativePrompt(), body.width(), body.height(),
                body.numInferenceSteps(), new Guidance(body.guidanceScale(), body.trueCfgScale()), body.seed(),
                body.numImages(), body.scheduler());
        byte[] mask = body.mask() == null || body.mask().isBlank() ? null
                : UploadedValues.base64Picture(body.mask(), "mask", config.server().maxFileSize());
        return generate(new Upload(bytes, null, mask, body.maskBlur(), body.upscale()), body.model(), fields,
                body.strength(),
                body.outputFormat(),
                NativeAnswers.prefersAsync(prefer) ? Delivery.job(idempotencyKey) : Delivery.answer(accept));
    }

    /**
     * The uploaded picture, its file name (multipart), the optional inpainting mask with its blur, and the optional
     * upscale of the result.
     */
    private record Upload(byte[] picture, String fileName, byte[] mask, Integer maskBlur, Double upscale) {
    }

    private Uni<Response> generate(Upload upload, String modelId, RequestFields fields, Double strength,
                                   String outputFormat, Delivery delivery) {
        if (upload.mask() == null && upload.maskBlur() != null) {
            throw ServiceException.invalid("mask_blur", "mask_blur needs a mask");
        }
        if (upload.maskBlur() != null && (upload.maskBlur() < 0 || upload.maskBlur() > InpaintMask.MAX_BLUR)) {
            throw ServiceException.invalid("mask_blur", "mask_blur must be between 0 and " + InpaintMask.MAX_BLUR
                    + " pixels, got " + upload.maskBlur());
        }
        return generations.model(modelId).flatMap(model -> {
            if (!model.imageToImage()) {
                throw new ServiceException(ErrorCode.VALIDATION_ERROR, "model " + model.id() + " has no "
                        + "vae_encoder, so it cannot do image-to-image", Map.of("field", "model"));
            }
            String format = mapper.outputFormat(outputFormat);
            return intake.withPictures(upload.picture(), upload.mask(), ImageCodec.MaskReading.LUMINANCE,
                    (place, uploads) -> {
                RgbImage input = uploads.image();
                GenerationRequest request = uploads.mask() == null
                        ? mapper.imageToImage(fields, strength, input, model)
                        : mapper.inpaint(fields, strength, input, uploads.mask().withBlur(
                                upload.maskBlur() == null ? 0 : upload.maskBlur()), model);
                String fileName = upload.fileName();
                InputPicture uploaded = new InputPicture(input.width(), input.height(), fileName);
                PictureFinish finish = upscalers.finish(request.width(), request.height(), upload.upscale());
                if (delivery.asJob()) {
                    return generations.submitJob(GenerationCommand.of(model.id(), request, format, place, uploaded)
                            .withIdempotencyKey(delivery.idempotencyKey()).withFinish(finish))
                            .map(NativeAnswers::accepted);
                }
                return generations.generate(GenerationCommand.of(model.id(), request,
                        NativeAnswers.format(delivery.accept(), format), place, uploaded).withFinish(finish))
                        .map(pictures -> NativeAnswers.answer(pictures, delivery.accept(), json));
            });
        });
    }
}
