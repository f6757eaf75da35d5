package io.qwenimage.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.http.GenerationRoute;
import io.qwenimage.service.GenerationCommand;
import io.qwenimage.service.Generations;
import io.qwenimage.service.PictureFinish;
import io.qwenimage.service.Upscalers;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * POST /text-to-image: the seed's JSON endpoint; {@code upscale} (more than 1, at most 8) has the pictures upscaled
 * by the service's upscaler in the same job.
 */
@GenerationRoute
@Path("/text-to-image")
public class TextToImageResource {

    private final Generations generations;
    private final RequestMapper mapper;
    private final Upscalers upscalers;
    private final ObjectMapper json;

    public TextToImageResource(Generations generations, RequestMapper mapper, Upscalers upscalers,
                               ObjectMapper json) {
        this.generations = generations;
        this.mapper = mapper;
        this.upscalers = upscalers;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, "image/png", "image/jpeg"})
    public Uni<Response> generate(TextToImageRequest body, @HeaderParam("Accept") String accept,
                                  @HeaderParam("Prefer") String prefer,
                                  @HeaderParam("Idempotency-Key") String idempotencyKey) {
        return generate(body, NativeAnswers.prefersAsync(prefer) ? Delivery.job(idempotencyKey)
                : Delivery.answer(accept));
    }

    /** The body's generation, answered now or as a job ({@code POST /jobs} comes here too). */
    Uni<Response> generate(TextToImageRequest body, Delivery delivery) {
        return generations.model(body == null ? null : body.model()).flatMap(model -> {
            var request = mapper.textToImage(body, model);
            String format = mapper.outputFormat(body.outputFormat());
            PictureFinish finish = upscalers.finish(request.width(), request.height(), body.upscale());
            if (delivery.asJob()) {
                return generations.submitJob(GenerationCommand.of(model.id(), request, format)
                        .withIdempotencyKey(delivery.idempotencyKey()).withFinish(finish))
                        .map(NativeAnswers::accepted);
            }
            return generations.generate(GenerationCommand.of(model.id(), request,
                    NativeAnswers.format(delivery.accept(), format)).withFinish(finish))
                    .map(pictures -> NativeAnswers.answer(pictures, delivery.accept(), json));
        });
    }
}
