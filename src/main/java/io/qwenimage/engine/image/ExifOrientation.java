package io.qwenimage.engine.image;

import io.qwenimage.engine.RgbImage;
import java.nio.charset.StandardCharsets;

/**
 * The EXIF Orientation tag of a JPEG and its application. Cameras and phones store pictures as the sensor saw
 * them and record in this tag how to turn them upright; ImageIO ignores it, so a portrait photo would be
 * transformed lying on its side. Only the tag is read (APP1 "Exif", TIFF IFD0, tag 0x0112): a few bounded reads,
 * and anything malformed counts as "upright" rather than failing an otherwise good picture.
 */
final class ExifOrientation {

    /** Upright: the picture as stored. */
    static final int NORMAL = 1;

    private static final int ORIENTATION_TAG = 0x0112;
    private static final int TYPE_SHORT = 3;
    private static final int MARKER_APP1 = 0xE1;
    private static final int MARKER_SOS = 0xDA;
    private static final int MARKER_EOI = 0xD9;

    private ExifOrientation() {
    }

    /** The Orientation (1 to 8) of JPEG {@code data}, or 1 when it has none or it cannot be read. */
    static int read(byte[] data) {
        int at = 2; // after SOI
        while (at + 4 <= data.length) {
            if ((data[at] & 0xFF) != 0xFF) {
                return NORMAL;
            }
            int marker = data[at + 1] & 0xFF;
            if (marker == 0xFF) {
                at++; // fill byte
                continue;
            }
            if (marker == MARKER_SOS || marker == MARKER_EOI) {
                return NORMAL; // the tag lives in a segment before the image data
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD7) {
                at += 2; // markers without a length
                continue;
            }
            int length = u16(data, at + 2, false);
            if (length < 2 || at + 2 + length > data.length) {
                return NORMAL;
            }
            if (marker == MARKER_APP1) {
                int orientation = fromApp1(data, at + 4, length - 2);
                if (orientation != 0) {
                    return orientation;
                }
            }
            at += 2 + length;
        }
        return NORMAL;
    }

    /** The tag from one APP1 segment's payload, 0 when it is not Exif or has no valid tag. */
    private static int fromApp1(byte[] data, int start, int length) {
        if (length < 14 || !new String(data, start, 6, StandardCharsets.ISO_8859_1).equals("Exif\0\0")) {
            return 0;
        }
        int tiff = start + 6;
        int end = start + length;
        boolean little;
        if (data[tiff] == 'I' && data[tiff + 1] == 'I') {
            little = true;
        } else if (data[tiff] == 'M' && data[tiff + 1] == 'M') {
            little = false;
        } else {
            return 0;
        }
        if (u16(data, tiff + 2, little) != 42) {
            return 0;
        }
        long ifd = tiff + u32(data, tiff + 4, little);
        if (ifd + 2 > end) {
            return 0;
        }
        int entries = u16(data, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > end) {
                return 0;
            }
            int e = (int) entry;
            if (u16(data, e, little) == ORIENTATION_TAG) {
                int value = u16(data, e + 8, little);
                return u16(data, e + 2, little) == TYPE_SHORT && value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    /** {@code image} turned upright for {@code orientation} (EXIF 1 to 8; anything else leaves it as it is). */
    static RgbImage apply(RgbImage image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        boolean swaps = orientation >= 5; // 5 to 8 turn the picture a quarter: width and height change places
        int outW = swaps ? h : w;
        int outH = swaps ? w : h;
        byte[] in = image.rgb();
        byte[] out = new byte[in.length];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                // the stored pixel shown at (x, y) once upright
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }           // mirrored
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }   // upside down
                    case 4 -> { sx = x; sy = h - 1 - y; }           // mirrored upside down
                    case 5 -> { sx = y; sy = x; }                   // mirrored, turned
                    case 6 -> { sx = y; sy = h - 1 - x; }           // needs a quarter turn clockwise
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }   // mirrored, turned the other way
                    default -> { sx = w - 1 - y; sy = x; }          // 8: a quarter turn anticlockwise
                }
                System.arraycopy(in, (sy * w + sx) * 3, out, (y * outW + x) * 3, 3);
            }
        }
        return new RgbImage(outW, outH, out);
    }

    private static int u16(byte[] data, int at, boolean little) {
        int a = data[at] & 0xFF;
        int b = data[at + 1] & 0xFF;
        return little ? a | b << 8 : a << 8 | b;
    }

    private static long u32(byte[] data, int at, boolean little) {
        long hi = u16(data, little ? at + 2 : at, little);
        long lo = u16(data, little ? at : at + 2, little);
        return hi << 16 | lo;
    }
}
