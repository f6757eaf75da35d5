package io.qwenimage.engine.image;

import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.InpaintMask;
import io.qwenimage.engine.RgbImage;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * Reads uploaded pictures safely and writes generated ones. Decoding checks the dimensions in the header against
 * a pixel limit before any pixel is decoded (a 50 KB PNG can declare 100 000 x 100 000 pixels); transparent
 * pictures are flattened onto white. PNGs carry their generation parameters in a {@code tEXt} chunk named
 * {@code parameters}, the way AUTOMATIC1111 writes them, so tools that read those show them.
 */
public final class ImageCodec {

    static {
        // ImageIO buffers every stream in a temporary file by default: a file created and deleted per picture
        // (milliseconds each, and a writable temp dir needed); pictures here are in memory anyway
        ImageIO.setUseCache(false);
    }

    private ImageCodec() {
    }

    /**
     * Reads the format and size of PNG, JPEG, WebP, BMP or GIF bytes without decoding a pixel, and checks the size
     * against {@code maxPixels}: cheap, so it can run before anything is spent on the picture.
     *
     * @throws ImageTooLargeException          when the header declares more than {@code maxPixels}
     * @throws UnsupportedImageFormatException when the bytes do not start like one of those formats
     * @throws InvalidImageException           when the header is damaged
     */
    public static ImageHeader header(byte[] data, long maxPixels) {
        return read(data, maxPixels, (reader, header) -> header);
    }

    /**
     * Decodes PNG, JPEG, WebP, BMP or GIF bytes (the first frame), upright: a JPEG's EXIF orientation is applied.
     *
     * @throws ImageTooLargeException when the header declares more than {@code maxPixels}
     * @throws UnsupportedImageFormatException when the bytes do not start like one of those formats
     * @throws InvalidImageException  when the picture is damaged
     */
    public static RgbImage decode(byte[] data, long maxPixels) {
        return read(data, maxPixels, (reader, header) -> {
            RgbImage image = ImageTensors.fromBufferedImage(flatten(reader.read(0)));
            return header.format() == ImageFormat.JPEG
                    ? ExifOrientation.apply(image, ExifOrientation.read(data)) : image;
        });
    }

    /** How a mask picture says where to repaint. */
    public enum MaskReading {
        /**
         * Light pixels (at least half grey) are repainted, dark ones kept: AUTOMATIC1111's and diffusers' masks;
         * transparent pixels count as black (kept).
         */
        LUMINANCE,
        /** Fully transparent pixels (alpha 0) are repainted, the rest kept: OpenAI's edits mask. */
        TRANSPARENT
    }

    /**
     * A mask picture (any format {@link #decode} takes) read as {@code reading} says, as values 255 = repaint.
     *
     * @throws ImageTooLargeException and the other errors of {@link #decode}
     */
    public static InpaintMask decodeMask(byte[] data, long maxPixels, MaskReading reading) {
        return read(data, maxPixels, (reader, header) -> {
            BufferedImage image = reader.read(0);
            int w = image.getWidth();
            int h = image.getHeight();
            boolean alpha = image.getColorModel().hasAlpha();
            byte[] values = new byte[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = image.getRGB(x, y);
                    int a = alpha ? argb >>> 24 : 255;
                    int v;
                    if (reading == MaskReading.TRANSPARENT) {
                        v = a == 0 ? 255 : 0;
                    } else {
                        double luma = 0.299 * ((argb >> 16) & 0xFF) + 0.587 * ((argb >> 8) & 0xFF)
                                + 0.114 * (argb & 0xFF);
                        v = (int) Math.round(luma * a / 255.0);
                    }
                    values[y * w + x] = (byte) v;
                }
            }
            return InpaintMask.of(w, h, values);
        });
    }

    /** What to do with a reader positioned on a picture whose header passed the checks. */
    @FunctionalInterface
    private interface Step<T> {
        T apply(ImageReader reader, ImageHeader header) throws IOException;
    }

    private static <T> T read(byte[] data, long maxPixels, Step<T> step) {
        if (data == null || data.length == 0) {
            throw new InvalidImageException("image is empty");
        }
        ImageFormat format = ImageFormat.sniff(data).orElseThrow(() -> new UnsupportedImageFormatException(
                "image is not a PNG, JPEG, WebP, BMP or GIF picture (judged by its bytes, not its name)"));
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.readerName());
            if (!readers.hasNext()) {
                throw new UnsupportedImageFormatException("no decoder for " + format + " is installed");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                ImageHeader header = new ImageHeader(format, reader.getWidth(0), reader.getHeight(0));
                if (header.width() <= 0 || header.height() <= 0) {
                    throw new InvalidImageException("image declares an empty size " + header.width() + "x"
                            + header.height());
                }
                if (header.pixels() > maxPixels) {
                    throw new ImageTooLargeException(header.width(), header.height(), maxPixels);
                }
                return step.apply(reader, header);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new InvalidImageException("image cannot be decoded (" + e.getMessage() + ")", e);
        }
    }

    /** PNG bytes, with each entry of {@code text} as a tEXt chunk (Latin-1 keyword and value). */
    public static byte[] encodePng(RgbImage image, Map<String, String> text) {
        return PngEncoder.encode(image, text);
    }

    /** Baseline JPEG bytes at {@code quality} in (0, 1]. */
    public static byte[] encodeJpeg(RgbImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
             ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(ImageTensors.toBufferedImage(image), null, null), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
    }

    /** The tEXt chunks of a PNG, keyword to value. */
    public static Map<String, String> readPngText(byte[] png) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
            try {
                reader.setInput(in, true, false);
                IIOMetadata metadata = reader.getImageMetadata(0);
                IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree("javax_imageio_png_1.0");
                var entries = root.getElementsByTagName("tEXtEntry");
                for (int i = 0; i < entries.getLength(); i++) {
                    IIOMetadataNode e = (IIOMetadataNode) entries.item(i);
                    out.put(e.getAttribute("keyword"), e.getAttribute("value"));
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new InvalidImageException("not a readable PNG", e);
        }
        return out;
    }


    /** tEXt is Latin-1; characters outside it become '?' rather than corrupting the chunk. */
    static String latin1(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 256 && c != 0 ? c : '?');
        }
        return sb.toString();
    }

    private static BufferedImage flatten(BufferedImage image) {
        if (!image.getColorModel().hasAlpha()) {
            return image;
        }
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
