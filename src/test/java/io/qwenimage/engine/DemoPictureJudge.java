package io.qwenimage.engine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a demo-model picture without any model, exactly as tools/demo-model/demo_common.py's {@code judge}:
 * foreground = palette colour nearest the median of the central 12x12 pixels, background = nearest the median of
 * the 3-pixel border, shape from the fill ratio of foreground-coloured pixels inside their bounding box
 * (< 0.64 triangle, < 0.89 circle, else square).
 */
public final class DemoPictureJudge {

    static final Map<String, int[]> COLOURS = new LinkedHashMap<>();
    static final List<String> SHAPES = List.of("circle", "square", "triangle");

    static {
        COLOURS.put("red", new int[] {220, 40, 40});
        COLOURS.put("green", new int[] {40, 170, 60});
        COLOURS.put("blue", new int[] {40, 70, 220});
        COLOURS.put("yellow", new int[] {240, 220, 40});
        COLOURS.put("purple", new int[] {140, 50, 180});
        COLOURS.put("orange", new int[] {250, 140, 30});
        COLOURS.put("white", new int[] {245, 245, 245});
        COLOURS.put("black", new int[] {20, 20, 20});
    }

    /** The verdict on one picture; shape is null when no foreground was found. */
    public record Verdict(String foreground, String background, String shape, double fill) {
    }

    private DemoPictureJudge() {
    }

    public static Verdict judge(RgbImage img) {
        int w = img.width();
        int h = img.height();
        double[][] centre = new double[3][];
        for (int c = 0; c < 3; c++) {
            double[] v = new double[144];
            int k = 0;
            for (int y = h / 2 - 6; y < h / 2 + 6; y++) {
                for (int x = w / 2 - 6; x < w / 2 + 6; x++) {
                    v[k++] = img.at(x, y, c);
                }
            }
            centre[c] = v;
        }
        String fg = nearest(median(centre[0]), median(centre[1]), median(centre[2]));
        double[][] border = new double[3][];
        for (int c = 0; c < 3; c++) {
            double[] v = new double[2 * 3 * w + 2 * 3 * h];
            int k = 0;
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < w; x++) {
                    v[k++] = img.at(x, y, c);
                    v[k++] = img.at(x, h - 1 - y, c);
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < 3; x++) {
                    v[k++] = img.at(x, y, c);
                    v[k++] = img.at(w - 1 - x, y, c);
                }
            }
            border[c] = v;
        }
        String bg = nearest(median(border[0]), median(border[1]), median(border[2]));
        if (fg.equals(bg)) {
            return new Verdict(fg, bg, null, 0);
        }
        int[] f = COLOURS.get(fg);
        int[] b = COLOURS.get(bg);
        int count = 0;
        int minX = w;
        int minY = h;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (dist(img, x, y, f) < dist(img, x, y, b)) {
                    count++;
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        if (count == 0) {
            return new Verdict(fg, bg, null, 0);
        }
        double fill = count / (double) ((maxX - minX + 1) * (maxY - minY + 1));
        String shape = fill < 0.64 ? "triangle" : fill < 0.89 ? "circle" : "square";
        return new Verdict(fg, bg, shape, fill);
    }

    static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }

    private static double dist(RgbImage img, int x, int y, int[] colour) {
        double d = 0;
        for (int c = 0; c < 3; c++) {
            double e = img.at(x, y, c) - colour[c];
            d += e * e;
        }
        return d;
    }

    static String nearest(double r, double g, double b) {
        String best = null;
        double bestD = Double.MAX_VALUE;
        for (Map.Entry<String, int[]> e : COLOURS.entrySet()) {
            int[] p = e.getValue();
            double d = (p[0] - r) * (p[0] - r) + (p[1] - g) * (p[1] - g) + (p[2] - b) * (p[2] - b);
            if (d < bestD) {
                bestD = d;
                best = e.getKey();
            }
        }
        return best;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
