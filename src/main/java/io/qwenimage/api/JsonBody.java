package io.qwenimage.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * A JSON document answered as its bytes, in one write with its {@code Content-Length}. An entity that Quarkus REST
 * serializes itself goes out through its 8 KB output buffer, flushed as it fills: a picture's answer (tens of KB of
 * base64) then leaves chunked, in several writes. Serialized here first it leaves at once; on the demo model this
 * took the time from response headers to the answer written from 0.64 to about 0.2 ms (bench/README.md § 8).
 */
final class JsonBody {

    private JsonBody() {
    }

    /** 200 with {@code document} as JSON bytes. */
    static Response.ResponseBuilder ok(ObjectMapper json, Object document) {
        return Response.ok(bytes(json, document), MediaType.APPLICATION_JSON_TYPE);
    }

    /** {@code document} as JSON bytes ({@code json}'s settings: the same text Quarkus REST would write). */
    static byte[] bytes(ObjectMapper json, Object document) {
        try {
            return json.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the answer as JSON", e);
        }
    }
}
