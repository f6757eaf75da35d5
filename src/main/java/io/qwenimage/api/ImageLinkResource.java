package io.qwenimage.api;

import io.qwenimage.errors.ErrorCode;
import io.qwenimage.errors.ServiceException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code GET /v1/images/files/{id}}: pictures requested with {@code response_format: url}. The URL carries an
 * unguessable id and needs no key, like OpenAI's signed URLs; it expires after {@code qwen.jobs.link-ttl}.
 */
@Path("/v1/images/files")
public class ImageLinkResource {

    private final ImageLinks links;

    public ImageLinkResource(ImageLinks links) {
        this.links = links;
    }

    @GET
    @Path("/{id}")
    public Response file(@PathParam("id") String id) {
        ImageLinks.Picture p = links.get(id).orElseThrow(() -> new ServiceException(ErrorCode.NOT_FOUND, "no such picture, or its link has expired", Map.of()));
        return Response.ok(p.bytes(), p.contentType()).header("Cache-Control", "private, max-age=3600").build();
    }
}
