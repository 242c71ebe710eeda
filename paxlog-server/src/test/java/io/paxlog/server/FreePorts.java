package io.paxlog.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Ports the OS just handed out and took back: free unless another process grabs one meanwhile. */
final class FreePorts {

    private FreePorts() {}

    static List<Integer> take(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // a socket we only opened to learn a free port
                }
            }
        }
    }

    /** A journal cluster's configuration for {@code servers} servers on fresh loopback ports. */
    static String clusterYaml(int servers, String dataDir, String extraSettings) {
        return clusterYaml(servers, dataDir, 300, 600, extraSettings);
    }

    /** As above, with the given election timeouts. */
    static String clusterYaml(int servers, String dataDir, long electionTimeoutMinMs, long electionTimeoutMaxMs,
            String extraSettings) {
        List<Integer> ports = take(servers * 3);
        StringBuilder yaml = new StringBuilder("cluster:\n  id: test\n  service: journal\n  servers:\n");
        for (int i = 0; i < servers; i++) {
            yaml.append("    - {id: ").append(i + 1)
                    .append(", peer: \"127.0.0.1:").append(ports.get(3 * i))
                    .append("\", client: \"127.0.0.1:").append(ports.get(3 * i + 1))
                    .append("\", http: \"127.0.0.1:").append(ports.get(3 * i + 2)).append("\"}\n");
        }
        return yaml.append("server:\n  dataDir: ").append(dataDir).append('\n')
                .append("  electionTimeoutMinMs: ").append(electionTimeoutMinMs)
                .append("\n  electionTimeoutMaxMs: ").append(electionTimeoutMaxMs)
                .append("\n  heartbeatIntervalMs: 50\n")
                .append("  walSegmentBytes: 1048576\n").append(extraSettings).toString();
    }
}
