package io.qwenimage.hostile;

import static io.qwenimage.hostile.ExifJpegs.quadrantColours;
import static io.qwenimage.hostile.ExifJpegs.quadrants;
import static io.qwenimage.hostile.ExifJpegs.withOrientation;
import static org.assertj.core.api.Assertions.assertThat;

import io.qwenimage.engine.RgbImage;
import io.qwenimage.engine.image.ImageCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 13: the EXIF orientation of uploaded JPEGs was ignored, so a phone's portrait photo was transformed
 * lying on its side. A 32 x 16 picture of four colours (0 red top-left, 1 green top-right, 2 blue bottom-left,
 * 3 white bottom-right, as stored) must decode upright for each of the eight orientations, in either byte order.
 */
class ExifOrientationHostileTest {

    static final long MAX_PIXELS = 1 << 24;

    @ParameterizedTest(name = "orientation {0}")
    @CsvSource({
        // orientation, width and height once upright, quadrant colours once upright (TL TR BL BR)
        "1, 32, 16, 0123",
        "2, 32, 16, 1032", // mirrored
        "3, 32, 16, 3210", // upside down
        "4, 32, 16, 2301", // mirrored upside down
        "5, 16, 32, 0213", // transposed
        "6, 16, 32, 2031", // stored a quarter turn anticlockwise: turned clockwise
        "7, 16, 32, 3120", // transversed
        "8, 16, 32, 1302", // stored a quarter turn clockwise: turned anticlockwise
    })
    void aJpegIsDecodedUprightWhateverItsOrientation(int orientation, int width, int height, String colours) {
        for (boolean little : new boolean[] {true, false}) {
            RgbImage img = ImageCodec.decode(withOrientation(quadrants(32, 16), orientation, little), MAX_PIXELS);
            assertThat(img.width()).as("width, %s", little ? "II" : "MM").isEqualTo(width);
            assertThat(img.height()).isEqualTo(height);
            assertThat(quadrantColours(img)).as("quadrants").containsExactly(colours.chars().map(c -> c - '0')
                    .toArray());
        }
    }

    @Test
    void theTagIsFoundAfterOtherApp1SegmentsAndBrokenExifLeavesThePictureAsStored() {
        byte[] plain = quadrants(32, 16);
        // an XMP packet (also APP1) before the Exif one, as photo editors write it
        byte[] xmp = ExifJpegs.app1("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".getBytes(StandardCharsets.UTF_8));
        byte[] both = ExifJpegs.insertAfterSoi(withOrientation(plain, 6, false), xmp);
        assertThat(ImageCodec.decode(both, MAX_PIXELS).width()).isEqualTo(16);

        byte[] exif = ExifJpegs.exif(6, true);
        byte[] truncated = java.util.Arrays.copyOf(exif, exif.length - 8); // the entry cut short
        byte[] offsetOutside = exif.clone();
        offsetOutside[10] = (byte) 0xF0; // IFD0 offset far past the segment
        byte[] badOrientation = ExifJpegs.exif(9, true);
        for (byte[] payload : new byte[][] {truncated, offsetOutside, badOrientation}) {
            RgbImage img = ImageCodec.decode(ExifJpegs.insertAfterSoi(plain, ExifJpegs.app1(payload)), MAX_PIXELS);
            assertThat(img.width()).isEqualTo(32);
            assertThat(quadrantColours(img)).containsExactly(0, 1, 2, 3);
        }
    }
}
