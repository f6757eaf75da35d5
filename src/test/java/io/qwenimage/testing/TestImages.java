package io.qwenimage.testing;

import io.qwenimage.engine.ImageTensors;
import io.qwenimage.engine.image.ImageCodec;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/** Hand-made picture files for tests. */
public final class TestImages {

    private TestImages() {
    }

    /** A PNG whose valid IHDR claims the given size, with no pixel data: an image bomb's header. */
    /** Inside the circle of {@link #redCircleOnBluePng} at 64x64 (it spans 16..48) grown by 3 pixels. */
    public static boolean inMaskCircle(int x, int y) {
        double dx = x + 0.5 - 32;
        double dy = y + 0.5 - 32;
        return dx * dx + dy * dy <= 19 * 19;
    }

    /**
     * A 64x64 inpainting mask of {@link #inMaskCircle}: white on black, or (OpenAI's convention) transparent in an
     * opaque picture.
     */
    public static byte[] circleMaskPng(boolean transparent) {
        BufferedImage img = new BufferedImage(64, 64, transparent ? BufferedImage.TYPE_INT_ARGB
                : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                boolean in = inMaskCircle(x, y);
                img.setRGB(x, y, transparent ? (in ? 0x00000000 : 0xFF808080) : (in ? 0xFFFFFFFF : 0xFF000000));
            }
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            javax.imageio.ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] pngHeaderOnly(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A blue picture with a red circle in the middle, as PNG bytes. */
    public static byte[] redCircleOnBluePng(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(new Color(40, 70, 220));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(220, 40, 40));
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        return ImageCodec.encodePng(ImageTensors.fromBufferedImage(img), Map.of());
    }
}
