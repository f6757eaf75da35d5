package io.qwenimage.hostile;

import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * JPEGs as a camera writes them: the pixels as the sensor saw them, and an EXIF APP1 segment whose Orientation tag
 * says how to turn them upright. The picture has four coloured quadrants, so every turn and mirror is told apart.
 */
public final class ExifJpegs {

    /** Quadrant colours of the stored picture: top-left, top-right, bottom-left, bottom-right. */
    public static final int[][] STORED = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};

    private ExifJpegs() {
    }

    /** A {@code width x height} picture of the four quadrants, as JPEG, without EXIF. */
    public static byte[] quadrants(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int[] c = STORED[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)];
                for (int k = 0; k < 3; k++) {
                    rgb[(y * width + x) * 3 + k] = (byte) c[k];
                }
            }
        }
        return ImageCodec.encodeJpeg(new RgbImage(width, height, rgb), 0.95f);
    }

    /** {@code jpeg} with an APP1 Exif segment holding {@code orientation}, right after SOI. */
    public static byte[] withOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
        return insertAfterSoi(jpeg, app1(exif(orientation, littleEndian)));
    }

    /** The segment {@code FF E1}, length, {@code payload}. */
    public static byte[] app1(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xE1);
        int length = payload.length + 2;
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** "Exif\0\0", a TIFF header and IFD0 with one entry: Orientation (0x0112), SHORT, {@code orientation}. */
    public static byte[] exif(int orientation, boolean little) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(little ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'});
        u16(out, 42, little);
        u32(out, 8, little);      // IFD0 right after the header
        u16(out, 1, little);      // one entry
        u16(out, 0x0112, little);
        u16(out, 3, little);      // SHORT
        u32(out, 1, little);      // one value
        u16(out, orientation, little);
        u16(out, 0, little);      // the value field's padding
        u32(out, 0, little);      // no next IFD
        return out.toByteArray();
    }

    public static byte[] insertAfterSoi(byte[] jpeg, byte[] segment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(segment);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** The colour index (into {@link #STORED}) nearest to the pixel at the centre of each quadrant of {@code img}. */
    public static int[] quadrantColours(RgbImage img) {
        int[][] centres = {{img.width() / 4, img.height() / 4}, {img.width() * 3 / 4, img.height() / 4},
                {img.width() / 4, img.height() * 3 / 4}, {img.width() * 3 / 4, img.height() * 3 / 4}};
        int[] out = new int[4];
        for (int q = 0; q < 4; q++) {
            int best = -1;
            long bestDistance = Long.MAX_VALUE;
            for (int c = 0; c < STORED.length; c++) {
                long d = 0;
                for (int k = 0; k < 3; k++) {
                    long diff = img.at(centres[q][0], centres[q][1], k) - STORED[c][k];
                    d += diff * diff;
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            out[q] = best;
        }
        return out;
    }

    private static void u16(ByteArrayOutputStream out, int v, boolean little) {
        if (little) {
            out.write(v & 0xFF);
            out.write(v >> 8 & 0xFF);
        } else {
            out.write(v >> 8 & 0xFF);
            out.write(v & 0xFF);
        }
    }

    private static void u32(ByteArrayOutputStream out, long v, boolean little) {
        if (little) {
            u16(out, (int) (v & 0xFFFF), true);
            u16(out, (int) (v >> 16 & 0xFFFF), true);
        } else {
            u16(out, (int) (v >> 16 & 0xFFFF), false);
            u16(out, (int) (v & 0xFFFF), false);
        }
    }
}
