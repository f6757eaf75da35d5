package io.qwenimage.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

/**
 * Leaks show under variety: {@code -Drequests=1000} mixed requests (sizes 64 to 512, every scheduler, one or two
 * images, text-to-image and image-to-image) from 2 clients, after {@code -Dwarmup=100} of the same mix and the
 * mix's largest shapes run as batches (two concurrent 512x512 and 256x256 two-image requests: ONNX Runtime's arena
 * grows to the largest UNet batch it has seen and keeps it, so a warm-up without the peak shape would count the
 * arena reaching its size as growth). Resident memory (VmRSS, right after a full GC) and the heap's live set are
 * read after the warm-up and every 250 requests.
 *
 * <p>Extra service properties: {@code -Dservice.args="-Dqwen.queue.max-batch=4"} (space-separated).
 */
public final class Soak {

    private static final int[] SIZES = {64, 64, 128, 256, 512};
    private static final String[] SCHEDULERS = {"euler", "euler_a", "ddim", "dpmpp_2m_karras", "pndm", "lcm"};

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        int requests = Integer.getInteger("requests", 1000);
        int warmup = Integer.getInteger("warmup", 100);
        String extra = System.getProperty("service.args", "");
        List<String> properties = extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
        Report report = new Report("soak");
        report.format("%d mixed requests (sizes 64-512, 6 schedulers, 1-2 images, every 5th image-to-image, 4-12 "
                + "steps) from 2 clients after %d warm-up requests and the peak shapes; service properties: %s; "
                + "environment: %s", requests, warmup, properties.isEmpty() ? "defaults" : String.join(" ", properties),
                System.getProperty("service.env", "").isBlank() ? "inherited" : System.getProperty("service.env"));
        report.line("");
        byte[] png = picture();
        try (ServiceProcess service = ServiceProcess.start(Report.jar(), 8192, properties,
                Path.of("target/bench-soak.log"))) {
            service.awaitReady(Duration.ofMinutes(5));
            Generations client = new Generations(service.baseUrl());
            AtomicInteger errors = new AtomicInteger();
            run(client, png, warmup, 0, errors);
            peakShapes(client, errors);
            long heap0 = service.heapLiveBytes();
            long rss0 = service.residentBytes();
            report.line("| requests after warm-up | RSS MB | RSS / RSS after warm-up | heap live set MB | errors |");
            report.line("|---|---|---|---|---|");
            report.format("| 0 | %.1f | 1.000 | %.1f | %d |", rss0 / 1048576.0, heap0 / 1048576.0, errors.get());
            int done = 0;
            long t0 = System.nanoTime();
            while (done < requests) {
                int chunk = Math.min(250, requests - done);
                run(client, png, chunk, warmup + done, errors);
                done += chunk;
                long heap = service.heapLiveBytes();
                long rss = service.residentBytes();
                report.format("| %d | %.1f | %.3f | %.1f | %d |", done, rss / 1048576.0, (double) rss / rss0,
                        heap / 1048576.0, errors.get());
            }
            report.line("");
            report.format("%d requests in %.0f s, %d errors.", requests, (System.nanoTime() - t0) / 1e9,
                    errors.get());
        }
        report.save();
    }

    /** The mix's largest UNet batches: pairs of identical-shape requests sent together, batched by the worker. */
    static void peakShapes(Generations client, AtomicInteger errors) throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            for (int[] shape : new int[][] {{512, 1}, {256, 2}, {128, 2}}) {
                List<Thread> pair = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    int seed = round * 10 + c;
                    Thread t = new Thread(() -> {
                        try {
                            if (client.textToImage("a red circle on a blue background", shape[0], 8, "euler", seed,
                                    shape[1]).status() != 200) {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                    });
                    pair.add(t);
                    t.start();
                }
                for (Thread t : pair) {
                    t.join();
                }
            }
        }
    }

    /** {@code count} requests of the mix, numbered from {@code first} (the mix is a function of the number). */
    static void run(Generations client, byte[] png, int count, int first, AtomicInteger errors)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger(first);
        int end = first + count;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread thread = new Thread(() -> {
                int n;
                while ((n = next.getAndIncrement()) < end) {
                    Random r = new Random(n);
                    try {
                        Generations.Answer a;
                        if (n % 5 == 4) {
                            a = client.imageToImage("a blue square on a yellow background", png, 4 + r.nextInt(9),
                                    0.3 + 0.6 * r.nextDouble(), n);
                        } else {
                            int size = SIZES[r.nextInt(SIZES.length)];
                            a = client.textToImage("a red circle on a blue background", size, 4 + r.nextInt(9),
                                    SCHEDULERS[r.nextInt(SCHEDULERS.length)], n, size >= 256 ? 1 : 1 + r.nextInt(2));
                        }
                        if (a.status() != 200) {
                            errors.incrementAndGet();
                            System.err.println("request " + n + ": " + a.status());
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        System.err.println("request " + n + ": " + e);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static byte[] picture() throws java.io.IOException {
        var image = new java.awt.image.BufferedImage(96, 80, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(new java.awt.Color(40, 70, 220));
        g.fillRect(0, 0, 96, 80);
        g.setColor(new java.awt.Color(220, 40, 40));
        g.fillOval(24, 16, 48, 48);
        g.dispose();
        var out = new java.io.ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
