package io.qwenimage.service;

/**
 * The uploaded picture of an image-to-image request as it arrived, before it was fitted to the generation size:
 * the native API reports it under {@code metadata.input_image}.
 *
 * @param width    its width in pixels
 * @param height   its height in pixels
 * @param fileName the form's file name, or null (a base64 picture has none)
 */
public record InputPicture(int width, int height, String fileName) {
}
