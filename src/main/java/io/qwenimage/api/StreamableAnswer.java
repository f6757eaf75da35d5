package io.qwenimage.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.http.ErrorEnvelope;
import io.qwenimage.observability.GenerationObserver;
import io.qwenimage.observability.GenerationRecord;
import io.qwenimage.observability.Outcome;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * An answer that is either one JSON document or a stream of Server-Sent Events, decided by the request's body
 * (OpenAI's {@code stream}): a route can only have one return type, and Quarkus REST streams a {@link Multi}, not a
 * {@link Response} that holds one. Status and headers come with the body; failures become the error envelope of
 * the route's path, as the exception mappers would write it.
 *
 * @param body the document's bytes (one item) or the events
 */
record StreamableAnswer(int status, Map<String, List<String>> headers, Multi<byte[]> body, boolean events,
                        String errorCode) {

    /** A JSON {@code response} (its entity written with {@code json}) as one item. */
    static StreamableAnswer of(Response response, ObjectMapper json) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.getStringHeaders().forEach((name, values) -> headers.put(name, new ArrayList<>(values)));
        headers.putIfAbsent("Content-Type", List.of(response.getMediaType() == null ? "application/json"
                : response.getMediaType().toString()));
        byte[] bytes = JsonBody.bytes(json, response.getEntity());
        return new StreamableAnswer(response.getStatus(), headers, Multi.createFrom().item(bytes), false,
                ErrorEnvelope.codeOf(response.getEntity()));
    }

    /** An event stream. */
    static StreamableAnswer events(Multi<byte[]> events) {
        return new StreamableAnswer(200, Map.of("Content-Type", List.of("text/event-stream"),
                "Cache-Control", List.of("no-cache")), events, true, null);
    }

    /**
     * What a route returns for {@code answer}, made when the route is called; failures answered at {@code path}.
     * JAX-RS response filters do not run for such answers, so the generation's record ends here (a JSON answer, as
     * it is made) or with its event stream.
     */
    static Multi<byte[]> route(Supplier<Uni<StreamableAnswer>> answer, String path, ObjectMapper json,
                               GenerationObserver observer) {
        GenerationRecord record = observer.current();
        record.streamed();
        Uni<StreamableAnswer> made;
        try {
            made = answer.get();          // now, in the request (its caller, its record), not at subscription
        } catch (RuntimeException e) {
            made = Uni.createFrom().failure(e);
        }
        made = made.onFailure().recoverWithItem(e -> of(ErrorMapper.answer(e, path, "POST"), json))
                .invoke(a -> {
                    if (!a.events()) {
                        observer.end(record, Outcome.of(a.status(), a.errorCode()), a.status());
                    }
                });
        return RestMulti.fromUniResponse(made, StreamableAnswer::body, StreamableAnswer::headers,
                StreamableAnswer::status);
    }
}
