package io.paxlog.client;

import io.paxlog.transport.client.ClientAnswer;
import io.paxlog.transport.client.ClientAnswer.Status;
import io.paxlog.transport.client.ClientCall;
import io.paxlog.transport.client.ClientHandler;
import io.paxlog.transport.client.ClientListener;
import io.paxlog.transport.client.ClientListenerConfig;
import io.paxlog.transport.client.ClientReplyChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Real {@link ClientListener}s on ephemeral loopback ports playing a cluster from a script: each
 * server's handler can be replaced at any time; the default one plays a server of a cluster whose
 * leader is {@link #leader}: the leader applies (exactly once per sequence, into a shared log), the
 * others answer NOT_LEADER with a hint, or NO_QUORUM while there is no leader. Every call any server
 * receives is recorded, in arrival order.
 */
final class FakeCluster implements AutoCloseable {

    static final String CLUSTER = "demo";

    /** A call as a server saw it. */
    record Seen(int server, long clientId, long sequence) {}

    /** One parked call, answered later by the test. */
    record Parked(ClientCall call, ClientReplyChannel reply) {}

    volatile int leader;
    private final Map<Integer, ClientListener> listeners = new LinkedHashMap<>();
    private final Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final Map<Integer, AtomicReference<ClientHandler>> behaviors = new ConcurrentHashMap<>();
    private final List<Seen> seen = new ArrayList<>();
    /** The replicated log of the fake: (clientId, sequence) to slot; a repeat gets the saved slot. */
    private final Map<List<Long>, Long> slots = new ConcurrentHashMap<>();
    private final AtomicLong lastSlot = new AtomicLong();

    FakeCluster(int size, int leader) {
        this.leader = leader;
        InetSocketAddress anyPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try {
            for (int id = 1; id <= size; id++) {
                int self = id;
                AtomicReference<ClientHandler> behavior = new AtomicReference<>(normal(self));
                behaviors.put(self, behavior);
                ClientListener listener = ClientListener.start(ClientListenerConfig.defaults(CLUSTER, self, anyPort),
                        (call, reply) -> {
                            if (call.kind() == ClientCall.Kind.REGISTER || call.kind() == ClientCall.Kind.KEEP_ALIVE) {
                                session(self, call, reply);
                                return;
                            }
                            synchronized (seen) {
                                seen.add(new Seen(self, call.clientId(), call.sequence()));
                            }
                            behavior.get().call(call, reply);
                        });
                listeners.put(self, listener);
                addresses.put(self, listener.listenAddress());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Session ids handed out, from 42: a test's first client is known as 42 in what the servers see. */
    private final AtomicLong sessions = new AtomicLong(41);

    /**
     * Opens and keeps sessions as a real cluster's leader would (a session's id is its register's slot
     * there; here a counter), and refuses them elsewhere as {@link #normal} refuses commands. Kept out of
     * {@link #seen} and the behaviours: the tests are about commands.
     */
    private void session(int self, ClientCall call, ClientReplyChannel reply) {
        int current = leader;
        if (current != self) {
            normal(self).call(call, reply);
            return;
        }
        if (call.kind() == ClientCall.Kind.REGISTER) {
            long id = sessions.incrementAndGet();
            byte[] result = java.nio.ByteBuffer.allocate(16).putLong(id).putLong(60_000).array();
            reply.answer(ClientAnswer.applied(call.callId(), id, result));
        } else {
            reply.answer(ClientAnswer.applied(call.callId(), Math.max(1, lastSlot.get()), new byte[0]));
        }
    }

    /** What a server of a real cluster would answer, given who leads. */
    ClientHandler normal(int self) {
        return (call, reply) -> {
            int current = leader;
            if (current == self) {
                reply.answer(apply(call));
            } else if (current == 0) {
                reply.answer(ClientAnswer.refused(call.callId(), Status.NO_QUORUM, 0,
                        "server " + self + " knows no leader"));
            } else {
                reply.answer(ClientAnswer.refused(call.callId(), Status.NOT_LEADER, current,
                        "server " + self + " does not lead; server " + current + " does"));
            }
        };
    }

    /** Applies the call to the shared log once; the result names the sequence, so a test can check it. */
    ClientAnswer apply(ClientCall call) {
        long slot = slots.computeIfAbsent(List.of(call.clientId(), call.sequence()), k -> lastSlot.incrementAndGet());
        return ClientAnswer.applied(call.callId(), slot, resultFor(call.sequence()));
    }

    static byte[] resultFor(long sequence) {
        return ("r" + sequence).getBytes(StandardCharsets.UTF_8);
    }

    void behave(int server, ClientHandler handler) {
        behaviors.get(server).set(handler);
    }

    Map<Integer, InetSocketAddress> addresses() {
        return addresses;
    }

    String address(int server) {
        InetSocketAddress address = addresses.get(server);
        return address.getHostString() + ":" + address.getPort();
    }

    /** Stops one server, closing its client connections: a crash, as far as a client can tell. */
    void stop(int server) {
        listeners.get(server).close();
    }

    List<Seen> seen() {
        synchronized (seen) {
            return new ArrayList<>(seen);
        }
    }

    List<Long> sequencesSeenBy(int server) {
        return seen().stream().filter(s -> s.server() == server).map(Seen::sequence).toList();
    }

    @Override
    public void close() {
        for (ClientListener listener : listeners.values()) {
            listener.close();
        }
    }
}
