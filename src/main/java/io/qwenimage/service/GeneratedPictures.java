package io.qwenimage.service;

import io.qwenimage.engine.GenerationRequest;
import io.qwenimage.engine.model.ModelFamily;
import java.util.List;

/**
 * A finished generation, its pictures already encoded: what every wire format builds its answer from.
 *
 * @param request         what was generated
 * @param pictures        the encoded pictures, one per seed (PNGs carry the A1111 parameters)
 * @param seeds           each picture's seed
 * @param truncatedPrompt the part of the prompt the text encoder could not read, or empty
 * @param model           the model's id
 * @param family          the model's family
 * @param format          {@code png} or {@code jpeg}
 * @param seconds         from submission to encoded pictures
 * @param cached          true when answered from the result cache, not generated
 * @param input           the uploaded picture of an image-to-image request, or null
 */
public record GeneratedPictures(GenerationRequest request, List<byte[]> pictures, List<Long> seeds,
                                String truncatedPrompt, String model, ModelFamily family, String format,
                                double seconds, boolean cached, InputPicture input, PictureFinish finish) {

    /** The MIME type of the pictures. */
    public String mediaType() {
        return format.equals("jpeg") ? "image/jpeg" : "image/png";
    }
}
