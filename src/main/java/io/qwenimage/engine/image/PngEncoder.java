package io.qwenimage.engine.image;

import io.qwenimage.engine.RgbImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes 8-bit RGB PNGs (ISO/IEC 15948) straight from RGB bytes: IHDR, one tEXt chunk per entry, IDAT, IEND.
 * Speed first, because the picture is encoded on the request's path: per row the Sub or Up filter, whichever leaves
 * the smaller sum of absolute residuals (both are one subtraction per byte; Paeth, the third usual candidate, costs
 * seven times as much here for files a few percent smaller), and the rows go in bands of about 64 KB through
 * {@link PngDeflater} (Huffman-coded literals and runs), several times faster than zlib (bench/README.md).
 */
final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte FILTER_SUB = 1;
    private static final byte FILTER_UP = 2;
    private static final int BAND_BYTES = 64 * 1024;

    private PngEncoder() {
    }

    /** PNG bytes of {@code image}, with {@code text} as tEXt chunks (Latin-1; other characters become '?'). */
    static byte[] encode(RgbImage image, Map<String, String> text) {
        int width = image.width();
        int height = image.height();
        int stride = width * 3;
        ByteArrayOutputStream out = new ByteArrayOutputStream(stride * height / 2 + 1024);
        out.writeBytes(SIGNATURE);
        byte[] header = new byte[13];
        putInt(header, 0, width);
        putInt(header, 4, height);
        header[8] = 8;      // bits per sample
        header[9] = 2;      // colour type: truecolour
        chunk(out, "IHDR", header, header.length);
        for (var entry : text.entrySet()) {
            byte[] keyword = entry.getKey().getBytes(StandardCharsets.ISO_8859_1);
            byte[] value = ImageCodec.latin1(entry.getValue()).getBytes(StandardCharsets.ISO_8859_1);
            byte[] data = new byte[keyword.length + 1 + value.length];
            System.arraycopy(keyword, 0, data, 0, keyword.length);
            System.arraycopy(value, 0, data, keyword.length + 1, value.length);
            chunk(out, "tEXt", data, data.length);
        }
        byte[] rgb = image.rgb();
        int bandRows = Math.max(1, Math.min(height, BAND_BYTES / (stride + 1)));
        byte[] band = new byte[bandRows * (stride + 1)];
        PngDeflater deflater = new PngDeflater(height * (stride + 1) / 2 + 64);
        for (int y0 = 0; y0 < height; y0 += bandRows) {
            int rows = Math.min(bandRows, height - y0);
            for (int r = 0; r < rows; r++) {
                filterRow(rgb, y0 + r, stride, band, r * (stride + 1));
            }
            deflater.band(band, rows * (stride + 1), y0 + rows >= height);
        }
        byte[] idat = deflater.finish();
        chunk(out, "IDAT", idat, idat.length);
        chunk(out, "IEND", new byte[0], 0);
        return out.toByteArray();
    }

    /**
     * Row {@code y} filtered into {@code into} at {@code at} (filter type first) by Sub or Up, whichever has the
     * smaller sum of |residual| (as signed bytes); the first row has no row above, so Sub.
     */
    private static void filterRow(byte[] rgb, int y, int stride, byte[] into, int at) {
        int row = y * stride;
        boolean up = false;
        if (y > 0) {
            long sub = 0;
            long above = 0;
            for (int i = 0; i < stride; i++) {
                int x = rgb[row + i];
                sub += Math.abs((byte) (x - (i >= 3 ? rgb[row + i - 3] : 0)));
                above += Math.abs((byte) (x - rgb[row - stride + i]));
            }
            up = above < sub;
        }
        into[at] = up ? FILTER_UP : FILTER_SUB;
        if (up) {
            for (int i = 0; i < stride; i++) {
                into[at + 1 + i] = (byte) (rgb[row + i] - rgb[row - stride + i]);
            }
        } else {
            for (int i = 0; i < stride; i++) {
                into[at + 1 + i] = (byte) (rgb[row + i] - (i >= 3 ? rgb[row + i - 3] : 0));
            }
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int length) {
        byte[] head = new byte[8];
        putInt(head, 0, length);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, head, 4, 4);
        out.write(head, 0, 8);
        out.write(data, 0, length);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data, 0, length);
        byte[] tail = new byte[4];
        putInt(tail, 0, (int) crc.getValue());
        out.writeBytes(tail);
    }

    private static void putInt(byte[] into, int at, int value) {
        into[at] = (byte) (value >>> 24);
        into[at + 1] = (byte) (value >>> 16);
        into[at + 2] = (byte) (value >>> 8);
        into[at + 3] = (byte) value;
    }
}
