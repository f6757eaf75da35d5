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
import io.qwenimage.service.GeneratedPictures;
import io.qwenimage.service.GenerationCommand;
import io.qwenimage.service.Generations;
import io.qwenimage.service.PictureIntake;
import io.qwenimage.service.QueuePlace;
import io.qwenimage.observability.GenerationObserver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * OpenAI's Images API, for OpenAI SDKs and the tools built on them: {@code POST /v1/images/generations} (JSON) and
 * {@code POST /v1/images/edits} (multipart; image-to-image). Same queue, limits, keys ({@code Authorization:
 * Bearer}) and metrics as the native API; errors in OpenAI's {@code {"error": {message, type, param, code}}}.
 */
@GenerationRoute
@Path("/v1/images")
public class OpenAiImagesResource {

    private final Generations generations;
    private final RequestMapper mapper;
    private final ImageLinks links;
    private final QwenConfig config;
    private final PictureIntake intake;
    private final ObjectMapper json;
    private final GenerationObserver observer;

    public OpenAiImagesResource(Generations generations, RequestMapper mapper, ImageLinks links, QwenConfig config,
                                PictureIntake intake, ObjectMapper json, GenerationObserver observer) {
        this.json = json;
        this.observer = observer;
        this.generations = generations;
        this.mapper = mapper;
        this.links = links;
        this.config = config;
        this.intake = intake;
    }

    @POST
    @Path("/generations")
    @Consumes(MediaType.APPLICATION_JSON)
    public Multi<byte[]> generations(OpenAiImageRequest body, @Context UriInfo uri) {
        if (body == null) {
            throw ServiceException.invalid("prompt", "a JSON body with \"prompt\" is required");
        }
        return StreamableAnswer.route(() -> generations.model(modelId(body.model())).flatMap(model -> {
            int[] size = size(body.size(), model);
            GenerationRequest request = mapper.textToImage(new RequestFields(body.prompt(), body.negativePrompt(),
                    size[0], size[1], body.steps(), new Guidance(body.guidanceScale(), body.trueCfgScale()),
                    body.seed(), body.n(), body.scheduler()), model);
            return answer(model.id(), null, request, new Delivery(body.responseFormat(), body.outputFormat(),
                    Boolean.TRUE.equals(body.stream()), body.partialImages(), "image_generation"), uri);
        }), "/v1/images/generations", json, observer);
    }

    @POST
    @Path("/edits")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Multi<byte[]> edits(@RestForm("image") FileUpload image, @RestForm("image[]") FileUpload imageArray,
                               @RestForm String prompt, @RestForm("mask") FileUpload mask, @RestForm String n,
                               @RestForm String size, @RestForm("response_format") String responseFormat,
                               @RestForm("output_format") String outputFormat, @RestForm String seed,
                               @RestForm String strength, @RestForm("model") String modelName,
                               @RestForm String stream, @RestForm("partial_images") String partialImages,
                               @Context UriInfo uri) {
        boolean streamed = UploadedValues.flag(stream, "stream");
        Integer partials = UploadedValues.integer(partialImages, "partial_images");
        byte[] bytes = UploadedValues.file(image != null ? image : imageArray, "image",
                config.server().maxFileSize());
        byte[] maskBytes = mask == null || mask.uploadedFile() == null ? null
                : UploadedValues.file(mask, "mask", config.server().maxFileSize());
        Long seedValue = UploadedValues.wholeNumber(seed, "seed");
        Integer count = UploadedValues.integer(n, "n");
        Double strengthValue = UploadedValues.number(strength, "strength");
        return StreamableAnswer.route(() -> generations.model(modelId(modelName)).flatMap(model -> {
            int[] wh = size == null || size.isBlank() || size.equals("auto") ? new int[] {0, 0} : size(size, model);
            // OpenAI's mask: a PNG of the image's size whose fully transparent pixels are the ones to edit
            return intake.withPictures(bytes, maskBytes, ImageCodec.MaskReading.TRANSPARENT, (place, uploads) -> {
                RgbImage input = uploads.image();
                RequestFields fields = new RequestFields(prompt, null, wh[0] == 0 ? null : wh[0],
                        wh[1] == 0 ? null : wh[1], null, null, seedValue, count, null);
                InpaintMask edit = uploads.mask();
                if (edit != null && (edit.width() != input.width() || edit.height() != input.height())) {
                    throw new ServiceException(ErrorCode.INVALID_REQUEST, "the mask is " + edit.width() + "x"
                            + edit.height() + " but the image is " + input.width() + "x" + input.height()
                            + ": they must be the same size", Map.of("field", "mask"));
                }
                GenerationRequest request = edit == null ? mapper.imageToImage(fields, strengthValue, input, model)
                        : mapper.inpaint(fields, strengthValue, input, edit, model);
                return answer(model.id(), place, request, new Delivery(responseFormat, outputFormat, streamed,
                        partials, "image_edit"), uri);
            });
        }), "/v1/images/edits", json, observer);
    }

    /**
     * The model a request names: OpenAI's own model names (what its SDKs and tools send by default, such as
     * {@code dall-e-3} or {@code gpt-image-1}) mean the default model; any other name is one of ours.
     */
    static String modelId(String requested) {
        if (requested == null || requested.isBlank()) {
            return null;
        }
        String name = requested.trim().toLowerCase(Locale.ROOT);
        return name.startsWith("dall-e") || name.startsWith("gpt-image") ? null : requested.trim();
    }

    /**
     * How the caller wants the pictures: {@code response_format}, {@code output_format}, and streamed as
     * Server-Sent Events with {@code partial_images} previews ({@code kind}: the events' prefix).
     */
    private record Delivery(String responseFormat, String outputFormat, boolean stream, Integer partialImages,
                            String kind) {
    }

    /** {@code place}: the queue place taken before the picture was decoded, or null. */
    private Uni<StreamableAnswer> answer(String model, QueuePlace place, GenerationRequest request, Delivery how,
                                         UriInfo uri) {
        String responseFormat = how.responseFormat();
        String outputFormat = how.outputFormat();
        int partials = how.partialImages() == null ? 0 : how.partialImages();
        if (partials < 0 || partials > 3) {
            throw ServiceException.invalid("partial_images", "partial_images must be 0 to 3, not " + partials);
        }
        if (how.partialImages() != null && !how.stream()) {
            throw ServiceException.invalid("partial_images", "partial_images needs stream: true");
        }
        String delivery = responseFormat == null ? "b64_json" : responseFormat.toLowerCase(Locale.ROOT);
        if (!delivery.equals("b64_json") && !delivery.equals("url")) {
            throw ServiceException.invalid("response_format", "response_format must be b64_json or url");
        }
        String format = outputFormat == null ? "png" : outputFormat.toLowerCase(Locale.ROOT);
        if (format.equals("webp")) {
            throw ServiceException.invalid("output_format", "output_format webp is not supported; use png or jpeg");
        }
        String encoding = mapper.outputFormat(format);
        String base = uri.getBaseUri().toString().replaceAll("/$", "");
        GenerationCommand command = GenerationCommand.of(model, request, encoding, place, null);
        if (how.stream()) {
            if (delivery.equals("url")) {
                throw ServiceException.invalid("response_format", "a streamed answer carries b64_json, not url");
            }
            return Uni.createFrom().item(StreamableAnswer.events(OpenAiImageStream.start(json, generations, observer,
                    command, partials, how.kind())));
        }
        return generations.generate(command).map(pictures -> StreamableAnswer.of(
                body(pictures, delivery.equals("url") ? base : null), json));
    }

    /** OpenAI's {@code {created, data: [{b64_json | url, revised_prompt}], ...}}; links under {@code base}. */
    private Response body(GeneratedPictures pictures, String base) {
        List<Map<String, Object>> data = new ArrayList<>();
        for (byte[] picture : pictures.pictures()) {
            Map<String, Object> item = new LinkedHashMap<>();
            if (base != null) {
                item.put("url", base + "/v1/images/files/" + links.put(picture, pictures.mediaType()));
            } else {
                item.put("b64_json", Base64.getEncoder().encodeToString(picture));
            }
            item.put("revised_prompt", pictures.request().prompt());
            data.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("created", Instant.now().getEpochSecond());
        body.put("data", data);
        body.put("output_format", pictures.format());
        body.put("size", pictures.request().width() + "x" + pictures.request().height());
        return NativeAnswers.cacheHeader(Response.ok(body).type(MediaType.APPLICATION_JSON)
                .header("X-Seed", pictures.seeds().get(0)), pictures).build();
    }

    /** "WxH", or "auto"/absent for the model's native size. */
    private static int[] size(String size, ModelInfo model) {
        if (size == null || size.isBlank() || size.equalsIgnoreCase("auto")) {
            return new int[] {model.nativeSize(), model.nativeSize()};
        }
        String[] parts = size.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ServiceException.invalid("size", "size must be WIDTHxHEIGHT (e.g. 512x512) or auto, not '" + size + "'");
    }
}
