package io.qwenimage.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GET /: the web page for a browser (a redirect to /ui/), the seed's service index (where the documentation and
 * the other endpoints are) for everything else.
 */
@Path("/")
public class RootResource {

    @GET
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_HTML})
    public Response index(@HeaderParam("Accept") String accept) {
        if (accept != null && accept.contains("text/html")) {
            return Response.seeOther(URI.create("/ui/")).build();
        }
        return Response.ok(serviceIndex(), MediaType.APPLICATION_JSON).build();
    }

    private static Map<String, Object> serviceIndex() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message", "qwen-image-api: text-to-image and image-to-image on ONNX Runtime");
        out.put("version", "1.0.0");
        out.put("docs", "/q/swagger-ui");
        out.put("health", "/health");
        out.put("info", "/info");
        out.put("web", "/ui/");
        return out;
    }
}
