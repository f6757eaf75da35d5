package io.qwenimage.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The seed's success body: {@code image} (base64, no data: prefix) is the first picture, {@code images} all of
 * them, {@code metadata} describes the generation (seed per image always included).
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ImageResponse(boolean success, String image, List<String> images, Map<String, Object> metadata,
                            Object error) {
}
