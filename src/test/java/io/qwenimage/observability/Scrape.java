package io.qwenimage.observability;

import static io.restassured.RestAssured.given;

import java.util.LinkedHashMap;
import java.util.Map;

/** A Prometheus text scrape as series ({@code name{labels}}) → value. */
final class Scrape {

    private Scrape() {
    }

    static Map<String, Double> of(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String value = line.substring(space + 1);
            series.put(line.substring(0, space).replace(",}", "}"),
                    value.equals("NaN") ? Double.NaN : Double.parseDouble(value));
        }
        return series;
    }

    static Map<String, Double> get(String path) {
        return of(given().accept("text/plain").get(path).then().statusCode(200).extract().asString());
    }

    /** The value of a series, 0 when it does not exist (yet). */
    static double value(Map<String, Double> scrape, String series) {
        return scrape.getOrDefault(series, 0.0);
    }
}
