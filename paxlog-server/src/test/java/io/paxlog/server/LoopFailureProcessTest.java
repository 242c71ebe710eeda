package io.paxlog.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.Store;
import io.paxlog.transport.codec.MessageCodec;
import io.paxlog.transport.frame.Frame;
import io.paxlog.transport.frame.FrameFormat;
import io.paxlog.transport.frame.FrameType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server process whose loop thread fails exits with status 71 within seconds, and logs the cause once.
 *
 * <p>The failure is real: a socket that introduces itself as peer 2 stores a no-op in slot 1 at an
 * epoch above anything the lone server tried, finalizes it, then stores another command in the same
 * slot. The acceptor's agreement check (a finalized slot never changes) throws on the loop thread. The
 * server runs without {@code -ea}, as in production, so the check that fires is one that always runs.
 *
 * <p>Before the fix the shutdown hook waited out the loop's whole stop timeout (30 s) for the very
 * thread that had called {@code System.exit}, so the bound here tells the two apart.
 */
class LoopFailureProcessTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    /** How soon the process must be gone after the store that breaks agreement; it takes well under 1 s. */
    private static final Duration EXITS_AT_ONCE = Duration.ofSeconds(10);
    private static final int SERVER = 1;
    private static final int IMPERSONATED_PEER = 2;
    /** A round no server of this test reaches on its own: its stores are accepted. */
    private static final Epoch FORGED_EPOCH = new Epoch(1_000_000, IMPERSONATED_PEER);

    @TempDir
    Path dir;

    private ServerProcesses servers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void killEverything() throws InterruptedException {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aLoopFailureExitsWith71AtOnceLoggingTheCauseOnceAndTheServerThenRestartsAndStopsOnSigterm()
            throws Exception {
        // Servers 2 and 3 stay down: server 1 alone cannot lead, and the forged peer is the only one.
        servers = new ServerProcesses(dir, 3, "");
        servers.start(SERVER, false);
        servers.awaitStarted(BOUND, SERVER);

        InetSocketAddress peerPort = servers.config().cluster().server(SERVER).peer().socketAddress();
        try (Socket socket = new Socket()) {
            socket.connect(peerPort, (int) BOUND.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(frame(new Frame(FrameType.PEER_HELLO, IMPERSONATED_PEER, Frame.EMPTY)));
            out.write(message(new Store(FORGED_EPOCH, List.of(new SlotCommand(1, Command.NOOP)))));
            out.write(message(new Finalize(FORGED_EPOCH, List.of(1L))));
            out.flush();
            Await.until(BOUND, "server " + SERVER + " finalizes slot 1", () -> firstUnfinalizedSlot() == 2,
                    () -> servers.describe(SERVER));
            assertThat(servers.isAlive(SERVER)).as("server " + SERVER + " runs before the conflicting store").isTrue();

            Command other = new Command(7, 1, new byte[] {1, 2, 3});
            out.write(message(new Store(FORGED_EPOCH, List.of(new SlotCommand(1, other)))));
            out.flush();
            long sentAt = System.nanoTime();
            int status = servers.awaitExit(SERVER, EXITS_AT_ONCE);
            long exitedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);

            assertThat(status).as("exit status after the loop failed (exited " + exitedAfterMs + " ms after the store); "
                    + servers.describe(SERVER)).isEqualTo(PaxlogServer.EXIT_INTERNAL_ERROR);
        }
        String log = servers.logText(SERVER);
        assertThat(ServerProcesses.count(log, "agreement: slot 1 is finalized with noop"))
                .as("the cause in the log of server " + SERVER + ":\n" + log).isEqualTo(1);
        assertThat(ServerProcesses.count(log, "the loop thread failed")).as("ERROR lines for the failure").isEqualTo(1);
        assertThat(log).as("the stop after the failure").doesNotContain("did not stop within")
                .contains("server " + SERVER + ": stopped");

        // The stop released the data directory and left a log that recovers; SIGTERM still stops cleanly.
        servers.start(SERVER, false);
        servers.awaitStarted(BOUND, SERVER);
        assertThat(firstUnfinalizedSlot()).as("slot 1 is still finalized after the restart").isEqualTo(2);
        assertThat(servers.term(SERVER)).as("exit status after SIGTERM").isEqualTo(128 + 15);
    }

    /** Server 1's first unfinalized slot from its status page; 0 while it does not answer. */
    private long firstUnfinalizedSlot() {
        InetSocketAddress address = servers.config().cluster().server(SERVER).http().socketAddress();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address.getHostString() + ":"
                + address.getPort() + "/v1/status")).timeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return 0;
            }
            JsonNode status = HttpCluster.JSON.readTree(response.body());
            return status.path("firstUnfinalizedSlot").asLong();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while reading server " + SERVER + "'s status", e);
        }
    }

    private byte[] message(Message message) {
        return frame(new Frame(FrameType.PEER_MESSAGE, IMPERSONATED_PEER, MessageCodec.encode(message)));
    }

    private byte[] frame(Frame frame) {
        ByteBuf buffer = Unpooled.buffer();
        FrameFormat.write(buffer, FrameFormat.clusterTag(servers.config().cluster().id()), frame);
        byte[] bytes = new byte[buffer.readableBytes()];
        buffer.readBytes(bytes);
        return bytes;
    }
}
