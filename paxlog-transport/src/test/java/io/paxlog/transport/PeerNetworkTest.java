package io.paxlog.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Query;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.Store;
import io.paxlog.transport.frame.Frame;
import io.paxlog.transport.frame.FrameFormat;
import io.paxlog.transport.frame.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real peer networks on loopback, each on an ephemeral port. */
@Timeout(60)
class PeerNetworkTest {

    private static final String CLUSTER = "demo";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Nothing listens on port 1 of loopback: a stand-in until the real port is known. */
    private static final InetSocketAddress NOWHERE = new InetSocketAddress(LOOPBACK, 1);
    private static final PeerNetworkConfig.Limits LIMITS = new PeerNetworkConfig.Limits(
            1 << 20, 4 << 20, Duration.ofSeconds(2), Duration.ofMillis(20), Duration.ofMillis(200),
            Duration.ofMillis(900), Duration.ofMillis(500));

    private final Map<Integer, PeerNetwork> networks = new HashMap<>();
    private final Map<Integer, ConcurrentLinkedQueue<Envelope>> received = new HashMap<>();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void closeEverything() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        networks.values().forEach(PeerNetwork::close);
    }

    /** Starts server {@code id} of servers 1..3 on {@code port} (0: any), and points the others at it. */
    private PeerNetwork start(int id, int port) {
        Map<Integer, InetSocketAddress> peers = new HashMap<>();
        for (int peer = 1; peer <= 3; peer++) {
            if (peer != id) {
                PeerNetwork running = networks.get(peer);
                peers.put(peer, running != null ? running.listenAddress() : NOWHERE);
            }
        }
        ConcurrentLinkedQueue<Envelope> inbox = received.computeIfAbsent(id, i -> new ConcurrentLinkedQueue<>());
        PeerNetwork network = PeerNetwork.start(
                new PeerNetworkConfig(CLUSTER, id, new InetSocketAddress(LOOPBACK, port), peers, LIMITS), inbox::add);
        networks.put(id, network);
        networks.forEach((other, running) -> {
            if (other != id) {
                running.peerAddress(id, network.listenAddress());
            }
        });
        return network;
    }

    private static Envelope query(int from, int to, long round) {
        return new Envelope(from, to, new Query(new Epoch(round, from)));
    }

    private void awaitConnected(int from, int to) {
        Await.until(from + " connected to " + to, WAIT, () -> networks.get(from).isConnected(to));
    }

    /** Sends a numbered query from each server to each other and waits until all have arrived. */
    private void exchange(long round) {
        for (int from : networks.keySet()) {
            for (int to : networks.keySet()) {
                if (from != to) {
                    awaitConnected(from, to);
                    networks.get(from).send(query(from, to, round));
                }
            }
        }
        for (int to : networks.keySet()) {
            for (int from : networks.keySet()) {
                if (from != to) {
                    Envelope expected = query(from, to, round);
                    Await.until(expected + " delivered", WAIT, () -> received.get(to).contains(expected));
                }
            }
        }
    }

    /**
     * A leader's stores of the same entries to each follower are encoded once; a store of other entries
     * (same epoch, same count, equal commands but other objects, or another slot) is encoded afresh.
     */
    @Test
    void storesOfTheSameEntriesReachEveryPeerAndOtherStoresAreNotMistakenForThem() {
        start(1, 0);
        start(2, 0);
        start(3, 0);
        awaitConnected(1, 2);
        awaitConnected(1, 3);
        Epoch epoch = new Epoch(5, 1);
        List<SlotCommand> entries = List.of(new SlotCommand(1, new Command(9, 1, new byte[] {1})),
                new SlotCommand(2, new Command(9, 2, new byte[] {2})));
        Store toTwo = new Store(epoch, new ArrayList<>(entries));
        Store toThree = new Store(epoch, new ArrayList<>(entries));
        Store otherSlot = new Store(epoch, List.of(new SlotCommand(1, new Command(9, 1, new byte[] {1})),
                new SlotCommand(3, new Command(9, 2, new byte[] {2}))));
        Store otherEpoch = new Store(new Epoch(6, 1), new ArrayList<>(entries));
        networks.get(1).send(new Envelope(1, 2, toTwo));
        networks.get(1).send(new Envelope(1, 3, toThree));
        networks.get(1).send(new Envelope(1, 2, otherSlot));
        networks.get(1).send(new Envelope(1, 3, otherEpoch));
        Await.until("stores delivered", WAIT, () -> received.get(2).size() + received.get(3).size() >= 4);
        assertThat(received.get(2)).extracting(Envelope::message).containsExactly(toTwo, otherSlot);
        assertThat(received.get(3)).extracting(Envelope::message).containsExactly(toThree, otherEpoch);
    }

    @Test
    void threeServersExchangeMessagesBothWaysInOrder() {
        start(1, 0);
        start(2, 0);
        start(3, 0);
        exchange(1);
        // A burst from one loop thread arrives complete and in order.
        awaitConnected(1, 2);
        for (long round = 100; round < 1100; round++) {
            networks.get(1).send(query(1, 2, round));
        }
        Await.until("burst delivered", WAIT, () -> received.get(2).stream().filter(e -> e.from() == 1).count() == 1001);
        List<Long> rounds = received.get(2).stream().filter(e -> e.from() == 1)
                .map(e -> e.message().epoch().round()).toList();
        assertThat(rounds.subList(1, rounds.size())).isSorted();
        // The sender counts a frame in its write listener, which may run after the receiver already
        // has it: wait for the count rather than read it once.
        Await.until("sender counted every frame", WAIT, () -> networks.get(1).counters().framesOut() >= 1002);
        PeerNetworkCounters counters = networks.get(1).counters();
        assertThat(counters.framesOut()).isEqualTo(1002);
        // At least one flush carried them (consolidated or not, which depends on the threads' timing).
        assertThat(counters.flushes()).isPositive();
        assertThat(counters.dropped()).isZero();
        assertThat(counters.connectedPeers()).isEqualTo(2);
        assertThat(networks.get(2).counters().framesIn()).isEqualTo(1002);
    }

    @Test
    void aPeerThatStartsLateIsReachedAfterRetries() {
        start(1, 0);
        start(2, 0);
        networks.get(1).send(query(1, 3, 1)); // nobody there yet: dropped, not blocked or thrown
        assertThat(networks.get(1).counters().dropped()).isEqualTo(1);
        start(3, 0);
        exchange(2);
    }

    /**
     * A peer that restarts connects to us first; we must not wait out our backoff to reach it, or a
     * restarted follower hears nothing from a live leader and starts an election it does not need.
     */
    @Test
    void aPeerThatConnectsToUsIsReachedAtOnceInsteadOfAfterTheBackoff() throws IOException {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            port = probe.getLocalPort();
        }
        PeerNetworkConfig.Limits slowRetries = new PeerNetworkConfig.Limits(1 << 20, 4 << 20, Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(900), Duration.ofMillis(500));
        InetSocketAddress twoAt = new InetSocketAddress(LOOPBACK, port);
        ConcurrentLinkedQueue<Envelope> inboxOfOne = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Envelope> inboxOfTwo = new ConcurrentLinkedQueue<>();
        PeerNetwork one = PeerNetwork.start(new PeerNetworkConfig(CLUSTER, 1, new InetSocketAddress(LOOPBACK, 0),
                Map.of(2, twoAt), slowRetries), inboxOfOne::add);
        networks.put(1, one);
        // 1 has failed to reach 2 and now waits 15 to 30 s before its next attempt.
        Await.until("1 tried 2 and failed", WAIT, () -> !one.isConnected(2));
        PeerNetwork two = PeerNetwork.start(new PeerNetworkConfig(CLUSTER, 2, twoAt,
                Map.of(1, one.listenAddress()), slowRetries), inboxOfTwo::add);
        networks.put(2, two);
        Await.until("1 connected to 2 long before its backoff ran out", Duration.ofSeconds(5), () -> one.isConnected(2));
        one.send(query(1, 2, 7));
        Await.until("2 got 1's message", WAIT, () -> inboxOfTwo.contains(query(1, 2, 7)));
    }

    @Test
    void aPeerThatGoesAwayAndComesBackIsReconnected() {
        start(1, 0);
        start(2, 0);
        PeerNetwork three = start(3, 0);
        exchange(1);
        int port = three.listenAddress().getPort();
        three.close();
        networks.remove(3);
        Await.until("server 1 saw server 3 go", WAIT, () -> !networks.get(1).isConnected(3));
        start(3, port);
        exchange(2);
        assertThat(networks.get(1).counters().reconnects()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void rawSocketsSendingGarbageAHugeHeaderOrASlowPartialFrameAreDisconnectedWhileThePeersCarryOn() throws IOException {
        start(1, 0);
        start(2, 0);
        start(3, 0);
        exchange(1);
        InetSocketAddress target = networks.get(1).listenAddress();

        Socket garbage = connect(target);
        garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        Socket huge = connect(target);
        byte[] header = headerOnly(new Frame(FrameType.PEER_HELLO, 2, Frame.EMPTY));
        ByteBuffer.wrap(header).putInt(14, Integer.MAX_VALUE);
        huge.getOutputStream().write(header);

        Socket stranger = connect(target);
        stranger.getOutputStream().write(encode(new Frame(FrameType.PEER_HELLO, 9, Frame.EMPTY)));

        // Introduces itself properly, then dribbles one message frame a byte at a time, too slowly.
        Socket slow = connect(target);
        OutputStream slowOut = slow.getOutputStream();
        slowOut.write(encode(new Frame(FrameType.PEER_HELLO, 2, Frame.EMPTY)));
        byte[] message = encode(new Frame(FrameType.PEER_MESSAGE, 2, new byte[64]));

        long start = System.nanoTime();
        int sent = 0;
        while (!closedByServer(slow) && sent < message.length) {
            slowOut.write(message[sent++]);
            exchange(10 + sent); // the real peers keep talking all along
            pause(100); // the slowness is the behaviour under test, not a wait for a condition
        }
        assertThat(closedByServer(garbage)).as("garbage sender closed").isTrue();
        assertThat(closedByServer(huge)).as("2 GiB header sender closed").isTrue();
        assertThat(closedByServer(stranger)).as("unknown sender closed").isTrue();
        Await.until("slow sender closed", WAIT, () -> closedByServer(slow));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        exchange(1000);
        assertThat(received.get(1)).noneMatch(e -> e.from() == 9);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Socket connect(InetSocketAddress target) throws IOException {
        Socket socket = new Socket(target.getAddress(), target.getPort());
        socket.setSoTimeout(50);
        sockets.add(socket);
        return socket;
    }

    /** True once the server has closed its end (end of stream or reset); waits at most the socket timeout. */
    private static boolean closedByServer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                int read = in.read();
                if (read < 0) {
                    return true;
                }
                // a hello answer or a ping: keep reading
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static byte[] encode(Frame frame) {
        ByteBuf buf = Unpooled.buffer();
        FrameFormat.write(buf, FrameFormat.clusterTag(CLUSTER), frame);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    private static byte[] headerOnly(Frame frame) {
        return java.util.Arrays.copyOf(encode(frame), FrameFormat.HEADER_BYTES);
    }
}
