package io.qwenimage.api;

import io.qwenimage.errors.ServiceException;
import io.qwenimage.service.Upscalers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * AUTOMATIC1111's upscaler names: {@code None}, {@code Lanczos}, {@code Nearest} and its {@code Latent …} modes are
 * plain resizes here (bicubic: the pictures are decoded, there is no latent upscale); ours by its own name, and
 * A1111's model upscalers' usual names ({@code R-ESRGAN 4x+}, {@code ESRGAN_4x}, {@code SwinIR 4x}, …) mean it too,
 * so that clients with those defaults work. Any other name is refused with 422 listing the names.
 */
final class A1111Upscalers {

    /** The plain resizes, as A1111 lists them first. */
    static final List<String> RESIZES = List.of("None", "Lanczos", "Nearest");

    private A1111Upscalers() {
    }

    /**
     * True when {@code name} asks for the upscaler model, false for a plain resize.
     *
     * @throws ServiceException 422 naming {@code field} for a name that is neither
     */
    static boolean byModel(String name, Upscalers.Info ours, String field) {
        if (name == null || name.isBlank()) {
            return false;
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (RESIZES.stream().anyMatch(r -> r.equalsIgnoreCase(n)) || n.startsWith("latent")) {
            return false;
        }
        if (ours != null && (n.equals(ours.name().toLowerCase(Locale.ROOT)) || n.contains("esrgan")
                || n.contains("swinir") || n.contains("ldsr") || n.contains("scunet") || n.startsWith("4x")
                || n.startsWith("dat"))) {
            return true;
        }
        throw ServiceException.invalid(field, "unknown upscaler '" + name + "'; this service has " + names(ours));
    }

    static List<String> names(Upscalers.Info ours) {
        List<String> names = new ArrayList<>(RESIZES);
        if (ours != null) {
            names.add(ours.name());
        }
        return names;
    }

    /** {@code GET /sdapi/v1/upscalers}' entries. */
    static List<Map<String, Object>> list(Upscalers.Info ours) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (String name : names(ours)) {
            Map<String, Object> u = new LinkedHashMap<>();
            boolean model = ours != null && name.equals(ours.name());
            u.put("name", name);
            u.put("model_name", model ? name : null);
            u.put("model_path", null);
            u.put("model_url", null);
            u.put("scale", model ? ours.scale() : 4);
            list.add(u);
        }
        return list;
    }
}
