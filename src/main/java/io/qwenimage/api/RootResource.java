package io.qwenimage.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;

/** GET /: the seed's service index (where the documentation and the other endpoints are). */
@Path("/")
public class RootResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> index() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message", "qwen-image-api: text-to-image and image-to-image on ONNX Runtime");
        out.put("version", "1.0.0");
        out.put("docs", "/q/swagger-ui");
        out.put("health", "/health");
        out.put("info", "/info");
        return out;
    }
}
