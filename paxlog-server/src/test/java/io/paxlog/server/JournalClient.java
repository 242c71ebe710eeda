package io.paxlog.server;

import io.netty.channel.EventLoopGroup;
import io.paxlog.journal.JournalMachine;
import io.paxlog.server.config.ServerAddresses;
import io.paxlog.server.config.ServerConfig;
import io.paxlog.transport.NetworkThreads;
import io.paxlog.transport.client.ClientAnswer;
import io.paxlog.transport.client.ClientCall;
import io.paxlog.transport.client.ClientConnection;
import io.paxlog.transport.client.ClientConnectionConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal test client over the real client protocol: follows leader hints, retries the same
 * {@code (clientId, sequence)} on any server until answered or out of time. Stands in for the client
 * library until it exists.
 */
final class JournalClient implements AutoCloseable {

    private final ServerConfig config;
    private final NetworkThreads network = NetworkThreads.start(1, "test-client");
    private final EventLoopGroup group = network.group();
    private final Map<Integer, ClientConnection> connections = new HashMap<>();
    /** The session this client's commands carry; 0 until its first command opened one. */
    private long clientId;
    private final AtomicLong callIds = new AtomicLong(1);
    private long sequence;
    private int target;
    private int lastAnswered;
    private Exception lastFailure;

    /** @param label unused by the servers: the client opens a session through the log before its first command */
    JournalClient(ServerConfig config, long label) {
        this.config = config;
        this.target = config.cluster().serverIds().get(0);
    }

    /** Opens a session (docs/protocol.md#client-sessions), following hints as {@link #submit} does. */
    private void openSession(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        List<Integer> ids = config.cluster().serverIds();
        while (clientId == 0 && System.nanoTime() < deadline) {
            ClientAnswer answer = null;
            try {
                answer = connection(target, Duration.ofSeconds(2)).call(ClientCall.register(callIds.getAndIncrement()))
                        .get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                lastFailure = e;
                drop(target);
            }
            if (answer != null && answer.status() == ClientAnswer.Status.APPLIED) {
                clientId = java.nio.ByteBuffer.wrap(answer.result()).getLong();
            } else if (answer != null && answer.status() == ClientAnswer.Status.NOT_LEADER && answer.leaderHint() != 0) {
                target = answer.leaderHint();
            } else {
                target = ids.get((ids.indexOf(target) + 1) % ids.size());
                pause();
            }
        }
    }

    /** One attempt at one server; the answer or null if the server could not be reached or answered. */
    ClientAnswer callOnce(int serverId, long sequence, byte[] payload, Duration timeout) {
        if (clientId == 0) {
            openSession(timeout.multipliedBy(5));
        }
        try {
            ClientConnection connection = connection(serverId, timeout);
            return connection.call(new ClientCall(callIds.getAndIncrement(), clientId, sequence, payload))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            lastFailure = e;
            drop(serverId);
            return null;
        }
    }

    /** Submits the next command, retrying until APPLIED or {@code bound} passes; returns the last answer. */
    ClientAnswer submit(byte[] payload, Duration bound) {
        long seq = ++sequence;
        long deadline = System.nanoTime() + bound.toNanos();
        ClientAnswer last = null;
        List<Integer> ids = config.cluster().serverIds();
        while (System.nanoTime() < deadline) {
            ClientAnswer answer = callOnce(target, seq, payload, Duration.ofSeconds(2));
            if (answer != null) {
                last = answer;
                if (answer.status() == ClientAnswer.Status.APPLIED || answer.status() == ClientAnswer.Status.REJECTED) {
                    lastAnswered = target;
                    return answer;
                }
            }
            if (answer != null && answer.status() == ClientAnswer.Status.NOT_LEADER && answer.leaderHint() != 0) {
                target = answer.leaderHint();
            } else {
                target = ids.get((ids.indexOf(target) + 1) % ids.size());
                pause();
            }
        }
        return last;
    }

    /** Why the last failed {@link #callOnce} got no answer. */
    Exception lastFailure() {
        return lastFailure;
    }

    /** The server that applied the last command: the leader at that time. */
    int lastAnswered() {
        return lastAnswered;
    }

    ClientAnswer append(String text, Duration bound) {
        return submit(JournalMachine.appendCommand(text.getBytes(StandardCharsets.UTF_8)), bound);
    }

    /** Every entry of the journal, read through the log. */
    List<String> readAll(Duration bound) {
        List<String> texts = new ArrayList<>();
        while (true) {
            ClientAnswer answer = submit(JournalMachine.readCommand(texts.size() + 1, 1000), bound);
            if (answer == null || answer.status() != ClientAnswer.Status.APPLIED) {
                throw new AssertionError("read failed: " + answer);
            }
            JournalMachine.Page page = JournalMachine.decodePage(answer.result());
            page.entries().forEach(e -> texts.add(new String(e.data(), StandardCharsets.UTF_8)));
            if (texts.size() >= page.size()) {
                return texts;
            }
        }
    }

    private ClientConnection connection(int serverId, Duration timeout) throws Exception {
        ClientConnection connection = connections.get(serverId);
        if (connection != null && connection.isOpen()) {
            return connection;
        }
        ServerAddresses server = config.cluster().server(serverId);
        connection = ClientConnection.connect(ClientConnectionConfig.defaults(config.cluster().id(),
                server.client().socketAddress()), group).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        connections.put(serverId, connection);
        return connection;
    }

    private void drop(int serverId) {
        ClientConnection connection = connections.remove(serverId);
        if (connection != null) {
            connection.close();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20); // between retries, like a real client's backoff
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        connections.values().forEach(ClientConnection::close);
        network.close(Duration.ofSeconds(5));
    }
}
