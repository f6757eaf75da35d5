package io.qwenimage.hostile;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Small files that are expensive to decode: each declares a large picture of one colour, which every format
 * compresses to almost nothing. The kinds the service accepts and the JDK can write (WebP has a reader only).
 */
public final class HostilePictures {

    private HostilePictures() {
    }

    /** A progressive JPEG: several scans over the whole picture, the slowest kind to decode. */
    public static byte[] progressiveJpeg(int width, int height) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR), null,
                    null), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    public static byte[] png(int width, int height) {
        return write("png", new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), null);
    }

    public static byte[] gif(int width, int height) {
        return write("gif", new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED), null);
    }

    /** A run-length-encoded 8-bit BMP (uncompressed, 4096 x 4096 would exceed the upload limit). */
    public static byte[] bmp(int width, int height) {
        return write("bmp", new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED), "BI_RLE8");
    }

    private static byte[] write(String format, BufferedImage image, String compression) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (compression != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType(compression);
            }
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }
}
