package io.qwenimage.api;

import io.qwenimage.http.GenerationRoute;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /jobs}: a generation to collect later, with the body of {@code /text-to-image} (JSON) or of
 * {@code /image-to-image} (multipart). Answers 202 with the job's id and status URL; the same as
 * {@code Prefer: respond-async} on those endpoints, whose generation it asks for as a job.
 */
@GenerationRoute
@Path("/jobs")
public class JobSubmitResource {

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
        return textToImage.generate(body, Delivery.job(idempotencyKey));
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> imageToImage(@BeanParam ImageToImageForm form,
                                      @HeaderParam("Idempotency-Key") String idempotencyKey) {
        return imageToImage.multipart(form, Delivery.job(idempotencyKey));
    }
}
