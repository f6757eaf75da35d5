package io.qwenimage.api;

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
import java.util.Map;

/** POST /text-to-image: the seed's JSON endpoint. */
@GenerationRoute
@Path("/text-to-image")
public class TextToImageResource {

    private final GenerationService service;
    private final RequestMapper mapper;
    private final GenerationResponder responder;

    public TextToImageResource(GenerationService service, RequestMapper mapper, GenerationResponder responder) {
        this.service = service;
        this.mapper = mapper;
        this.responder = responder;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, "image/png", "image/jpeg"})
    public Uni<Response> generate(TextToImageRequest body, @HeaderParam("Accept") String accept,
                                  @HeaderParam("Prefer") String prefer,
                                  @HeaderParam("Idempotency-Key") String idempotencyKey) {
        return generate(body, GenerationResponder.prefersAsync(prefer) ? Delivery.job(idempotencyKey)
                : Delivery.answer(accept));
    }

    /** The body's generation, answered now or as a job ({@code POST /jobs} comes here too). */
    Uni<Response> generate(TextToImageRequest body, Delivery delivery) {
        ModelInfo model = service.readyModel();
        GenerationRequest request = mapper.textToImage(body, model);
        if (delivery.asJob()) {
            return responder.respondAsync(request, mapper.outputFormat(body.outputFormat()), Map.of(),
                    delivery.idempotencyKey());
        }
        String format = GenerationResponder.format(delivery.accept(), mapper.outputFormat(body.outputFormat()));
        return responder.respond(request, delivery.accept(), format, Map.of());
    }
}
