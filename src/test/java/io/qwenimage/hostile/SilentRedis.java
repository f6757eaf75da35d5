package io.qwenimage.hostile;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A "Redis" for the application under test that is not one: {@code black-hole} accepts every connection and
 * never reads or answers (a hung Redis, a half-dead proxy, a firewall that swallows packets after the handshake);
 * {@code refused} is a loopback port where nothing listens. Chosen by the {@code mode} init argument.
 */
public class SilentRedis implements QuarkusTestResourceLifecycleManager {

    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private String mode = "black-hole";

    @Override
    public void init(Map<String, String> initArgs) {
        mode = initArgs.getOrDefault("mode", mode);
    }

    @Override
    public Map<String, String> start() {
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            int port = server.getLocalPort();
            if (mode.equals("refused")) {
                server.close();     // the port was free a moment ago and nothing listens on it now
            } else {
                Thread acceptor = new Thread(this::acceptForever, "black-hole-redis");
                acceptor.setDaemon(true);
                acceptor.start();
            }
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void acceptForever() {
        while (!server.isClosed()) {
            try {
                held.add(server.accept());      // kept open, never read, never answered
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void stop() {
        try {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        } catch (IOException e) {
            // the test is over
        }
    }
}
