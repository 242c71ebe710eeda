package io.paxlog.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fault proxy of one directed link, against a plain TCP server: it forwards both ways while up,
 * throws bytes away without blocking the sender while down, closes the connections that lost bytes when
 * the link comes back up (the sender reconnects and the new connection forwards), and, whatever the
 * timing of the cuts, what the receiver gets on a connection is a prefix of what was sent on it, so no
 * frame ever has a hole in it.
 */
class LinkProxyTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    /** A server that accepts connections and hands each accepted socket to the test. */
    private final class Target implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        final Thread thread = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(server.accept());
                }
            } catch (IOException closed) {
                // the test ended
            }
        });

        Target() throws IOException {
            thread.setDaemon(true);
            thread.start();
            open.add(this);
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        Socket awaitConnection(int index) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (accepted.size() <= index) {
                assertThat(System.nanoTime()).as("connection %d reaches the target", index).isLessThan(deadline);
                Thread.sleep(5); // polling for the accept thread
            }
            return accepted.get(index);
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    private LinkProxy proxy(Target target) {
        LinkProxy proxy = LinkProxy.start("1->2", target.address());
        open.add(proxy);
        return proxy;
    }

    private Socket connect(LinkProxy proxy) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(5000);
        open.add(socket);
        return socket;
    }

    private static byte[] readExactly(Socket socket, int n) throws IOException {
        byte[] bytes = new byte[n];
        new DataInputStream(socket.getInputStream()).readFully(bytes);
        return bytes;
    }

    @Test
    void upForwardsBothWays() throws Exception {
        Target target = new Target();
        LinkProxy proxy = proxy(target);
        Socket sender = connect(proxy);
        sender.getOutputStream().write("hello".getBytes());
        Socket receiver = target.awaitConnection(0);
        receiver.setSoTimeout(5000);
        assertThat(new String(readExactly(receiver, 5))).isEqualTo("hello");
        receiver.getOutputStream().write("back".getBytes());
        assertThat(new String(readExactly(sender, 4))).isEqualTo("back");
        assertThat(proxy.forwardedBytes()).isEqualTo(9);
        assertThat(proxy.discardedBytes()).isZero();
    }

    @Test
    void downDropsWithoutBlockingTheSenderAndHealClosesWhatLostBytes() throws Exception {
        Target target = new Target();
        LinkProxy proxy = proxy(target);
        Socket sender = connect(proxy);
        sender.getOutputStream().write(1);
        Socket receiver = target.awaitConnection(0);
        receiver.setSoTimeout(300);
        assertThat(readExactly(receiver, 1)).containsExactly(1);

        proxy.down();
        // 8 MiB is far more than the sockets' buffers: it is written only because the proxy reads it all.
        byte[] lots = new byte[8 << 20];
        long start = System.nanoTime();
        sender.getOutputStream().write(lots);
        assertThat(System.nanoTime() - start).as("the sender is not blocked").isLessThan(TimeUnit.SECONDS.toNanos(5));
        receiver.getOutputStream().write("pong".getBytes()); // the other way is cut too
        assertNothingArrives(receiver);
        assertNothingArrives(sender);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (proxy.discardedBytes() < lots.length + 4 && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling the proxy's counter
        }
        assertThat(proxy.discardedBytes()).isEqualTo(lots.length + 4);

        proxy.up();
        assertThat(proxy.connectionsClosedAtHeal()).isEqualTo(1);
        sender.setSoTimeout(5000);
        assertThat(sender.getInputStream().read()).as("the sender's connection ends at the heal").isEqualTo(-1);
        receiver.setSoTimeout(5000);
        assertThat(receiver.getInputStream().read()).as("so does the receiver's").isEqualTo(-1);

        // The sender reconnects: the new connection forwards.
        Socket again = connect(proxy);
        again.getOutputStream().write("again".getBytes());
        Socket second = target.awaitConnection(1);
        second.setSoTimeout(5000);
        assertThat(new String(readExactly(second, 5))).isEqualTo("again");
    }

    @Test
    void aConnectionThatLostNothingWhileDownCarriesOn() throws Exception {
        Target target = new Target();
        LinkProxy proxy = proxy(target);
        Socket sender = connect(proxy);
        sender.getOutputStream().write(7);
        Socket receiver = target.awaitConnection(0);
        receiver.setSoTimeout(5000);
        assertThat(readExactly(receiver, 1)).containsExactly(7);
        proxy.down();
        proxy.up(); // nothing was sent meanwhile: nothing was lost
        assertThat(proxy.connectionsClosedAtHeal()).isZero();
        sender.getOutputStream().write(8);
        assertThat(readExactly(receiver, 1)).containsExactly(8);
    }

    @Test
    void aConnectionMadeWhileDownNeverReachesTheTargetAndEndsAtTheHeal() throws Exception {
        Target target = new Target();
        LinkProxy proxy = proxy(target);
        proxy.down();
        Socket sender = connect(proxy);
        sender.getOutputStream().write("hello".getBytes());
        Thread.sleep(200); // time for a connection to the target, were one made (none must be)
        assertThat(target.accepted).isEmpty();
        proxy.up();
        assertThat(sender.getInputStream().read()).isEqualTo(-1);
    }

    /**
     * Frames of {@code [length][sequence][payload][crc32c]} sent as fast as the socket takes them while
     * the link is cut and restored every few milliseconds, on connections the sender reopens whenever
     * one ends: every connection's received bytes must be whole frames numbered 0, 1, 2... and at most
     * one partial frame at the end, never a frame that fails its checksum.
     */
    @Test
    void noFrameIsSplicedAcrossAHeal() throws Exception {
        Target target = new Target();
        LinkProxy proxy = proxy(target);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        Thread sender = new Thread(() -> {
            while (System.nanoTime() < end) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    OutputStream out = socket.getOutputStream();
                    for (int sequence = 0; System.nanoTime() < end; sequence++) {
                        out.write(frame(sequence, 1 + sequence % 3000));
                    }
                } catch (IOException lost) {
                    // the heal closed it: reconnect, as a peer would
                }
            }
        });
        sender.setDaemon(true);
        sender.start();
        int toggles = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(7 + toggles % 11); // the cut's rhythm: uneven, so cuts land mid-frame
            if (toggles++ % 2 == 0) {
                proxy.down();
            } else {
                proxy.up();
            }
        }
        proxy.up();
        sender.join(10_000);
        assertThat(proxy.connectionsClosedAtHeal()).as("cuts lost bytes and healed").isGreaterThan(10);
        int frames = 0;
        for (Socket received : target.accepted) {
            received.setSoTimeout(5000);
            frames += checkFrames(received.getInputStream());
        }
        assertThat(target.accepted.size()).isGreaterThan(10);
        assertThat(frames).isGreaterThan(100);
    }

    private static byte[] frame(int sequence, int payloadBytes) {
        ByteBuffer frame = ByteBuffer.allocate(4 + 4 + payloadBytes + 4);
        frame.putInt(payloadBytes).putInt(sequence);
        for (int i = 0; i < payloadBytes; i++) {
            frame.put((byte) (sequence + i));
        }
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), 0, 8 + payloadBytes);
        frame.putInt((int) crc.getValue());
        return frame.array();
    }

    /** Reads one connection to its end; returns its whole frames, after checking each (see above). */
    private static int checkFrames(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        ByteBuffer bytes = ByteBuffer.wrap(all.toByteArray());
        int expected = 0;
        while (bytes.remaining() >= 8) {
            int length = bytes.getInt(bytes.position());
            assertThat(length).as("a frame's length, not bytes from the middle of another").isBetween(1, 3000);
            if (bytes.remaining() < 4 + 4 + length + 4) {
                break; // the connection's last frame, cut: a prefix, as the receiver's framing expects
            }
            byte[] frame = new byte[4 + 4 + length + 4];
            bytes.get(frame);
            ByteBuffer view = ByteBuffer.wrap(frame);
            assertThat(view.getInt(4)).as("frames arrive in order, none missing").isEqualTo(expected);
            CRC32C crc = new CRC32C();
            crc.update(frame, 0, 8 + length);
            assertThat(view.getInt(8 + length)).as("frame %d is whole", expected).isEqualTo((int) crc.getValue());
            expected++;
        }
        return expected;
    }

    /** Waits 300 ms for a byte, which must not come (nor the connection's end). */
    private static void assertNothingArrives(Socket socket) throws IOException {
        socket.setSoTimeout(300);
        try {
            int got = socket.getInputStream().read();
            throw new AssertionError("expected nothing while the link is down, read " + got);
        } catch (SocketTimeoutException expected) {
            // nothing arrived
        }
    }
}
