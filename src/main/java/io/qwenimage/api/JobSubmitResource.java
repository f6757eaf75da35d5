package io.qwenimage.api;

import io.qwenimage.http.GenerationRoute;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * {@code POST /jobs}: a generation to collect later, with the body of {@code /text-to-image} (JSON) or of
 * {@code /image-to-image} (multipart). Answers 202 with the job's id and status URL; the same as
 * {@code Prefer: respond-async} on those endpoints.
 */
@GenerationRoute
@Path("/jobs")
public class JobSubmitResource {

    private static final String ASYNC = "respond-async";

    private final TextToImageResource textToImage;
    private final ImageToImageResource imageToImage;

    public JobSubmitResource(TextToImageResource textToImage, ImageToImageResource imageToImage) {
        this.textToImage = textToImage;
        this.imageToImage = imageToImage;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> textToImage(TextToImageRequest body, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        return textToImage.generate(body, null, ASYNC, idempotencyKey);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> imageToImage(@RestForm("image") FileUpload image, @RestForm String prompt,
                                      @RestForm("negative_prompt") String negativePrompt, @RestForm String strength,
                                      @RestForm String width, @RestForm String height,
                                      @RestForm("num_inference_steps") String steps,
                                      @RestForm("guidance_scale") String guidance,
                                      @RestForm("true_cfg_scale") String trueCfg, @RestForm String seed,
                                      @RestForm("num_images") String numImages, @RestForm String scheduler,
                                      @RestForm("output_format") String outputFormat,
                                      @HeaderParam("Idempotency-Key") String idempotencyKey) {
        return imageToImage.multipart(image, prompt, negativePrompt, strength, width, height, steps, guidance, trueCfg,
                seed,
                numImages, scheduler, outputFormat, null, ASYNC, idempotencyKey);
    }
}
