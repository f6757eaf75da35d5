package io.qwenimage.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qwenimage.service.GeneratedPictures;
import io.qwenimage.service.ImageResponse;
import io.qwenimage.service.JobStatus;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Locale;

/**
 * The native API's answers to a generation: the seed's JSON body, the first picture's bytes for
 * {@code Accept: image/png|jpeg} (seeds in {@code X-Seed}/{@code X-Seeds}), or 202 with the job's status document.
 */
final class NativeAnswers {

    private NativeAnswers() {
    }

    /** True when the client asked for image bytes rather than JSON. */
    static boolean wantsRaw(String accept) {
        if (accept == null) {
            return false;
        }
        String a = accept.toLowerCase(Locale.ROOT);
        return (a.contains("image/png") || a.contains("image/jpeg")) && !a.startsWith("application/json");
    }

    /** The format the Accept header forces, or the body's choice. */
    static String format(String accept, String fromBody) {
        if (wantsRaw(accept)) {
            return accept.toLowerCase(Locale.ROOT).contains("image/jpeg") ? "jpeg" : "png";
        }
        return fromBody;
    }

    /** True when the client asked not to wait ({@code Prefer: respond-async}, RFC 7240). */
    static boolean prefersAsync(String prefer) {
        return prefer != null && prefer.toLowerCase(Locale.ROOT).contains("respond-async");
    }

    /** The answer {@code accept} asks for. */
    static Response answer(GeneratedPictures pictures, String accept, ObjectMapper json) {
        Response.ResponseBuilder b = wantsRaw(accept)
                ? Response.ok(pictures.pictures().get(0), pictures.mediaType())
                .header("X-Seed", pictures.seeds().get(0))
                .header("X-Seeds", String.join(",", pictures.seeds().stream().map(String::valueOf).toList()))
                : JsonBody.ok(json, ImageResponse.of(pictures));
        return cacheHeader(b, pictures).build();
    }

    /** {@code X-Cache: hit} on an answer that came from the result cache (every API's). */
    static Response.ResponseBuilder cacheHeader(Response.ResponseBuilder answer, GeneratedPictures pictures) {
        return pictures.cached() ? answer.header("X-Cache", "hit") : answer;
    }

    /** 202 with the job's first document and where to poll it. */
    static Response accepted(JobStatus status) {
        return Response.accepted(status).location(URI.create(status.statusUrl()))
                .header("Preference-Applied", "respond-async").type(MediaType.APPLICATION_JSON).build();
    }
}
