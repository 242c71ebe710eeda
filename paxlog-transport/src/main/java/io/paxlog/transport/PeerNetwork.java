package io.paxlog.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.Store;
import io.paxlog.api.transport.Transport;
import io.paxlog.transport.codec.MessageCodec;
import io.paxlog.transport.frame.Frame;
import io.paxlog.transport.frame.FrameType;
import io.paxlog.transport.internal.EventLoops;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-to-server network of one server: a listening socket for the peers' connections, and one
 * outbound connection per peer that carries our messages to it. Frames are laid out as in
 * {@link io.paxlog.transport.frame.FrameFormat}, messages as in {@link MessageCodec}.
 *
 * <p>A new connection introduces itself with a hello frame from a configured server id of the same
 * cluster, and the listener answers with its own, so each side knows who it talks to; anything else
 * (other cluster, unknown or own id, bad frame, silence, a slow partial frame) closes the connection
 * with one WARN line naming the remote address, and the other connections carry on.
 *
 * <p>Threads:
 * <ul>
 *   <li>{@link #send} is called by the server's loop thread. It encodes the message there, then hands
 *       the frame to the peer's event loop; it never blocks and never throws on network trouble.
 *   <li>{@code inbound} is called on a Netty event loop thread, once per message received, in the
 *       order each peer sent them; it must not block: the server hands the envelope to its loop thread.
 *   <li>{@link #start} and {@link #close} are called by the server's lifecycle thread; the rest from any.
 * </ul>
 */
public final class PeerNetwork implements Transport, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeerNetwork.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Enough for a handful of peers on a small machine; the core, not the network, is the bottleneck. */
    private static final int IO_THREADS = 2;

    private final PeerNetworkConfig config;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final Map<Integer, OutboundPeer> peers;
    private final Counters counters;
    /** Every open connection, both ways, so close() ends them all: a stopped event loop does not. */
    private final ChannelGroup channels;
    private volatile boolean closed;
    /**
     * The last store encoded, with its body in one immutable record: even if {@link #send} were called
     * from two threads, a body could never be paired with another store's entries. Loop thread only.
     */
    private EncodedStore lastStore;

    private record EncodedStore(Store store, byte[] body) {}

    private PeerNetwork(PeerNetworkConfig config, EventLoopGroup group, Channel serverChannel,
            Map<Integer, OutboundPeer> peers, Counters counters, ChannelGroup channels) {
        this.config = config;
        this.group = group;
        this.serverChannel = serverChannel;
        this.peers = peers;
        this.counters = counters;
        this.channels = channels;
    }

    /**
     * Binds the peer address, then starts connecting to every peer in the background.
     *
     * @param inbound receives every message from a peer; called on Netty threads (see the class comment)
     * @throws UncheckedIOException if the listen address cannot be bound
     */
    public static PeerNetwork start(PeerNetworkConfig config, Consumer<Envelope> inbound) {
        EventLoopGroup group = EventLoops.newGroup(IO_THREADS, "paxlog-peer-io-" + config.selfId());
        Counters counters = new Counters();
        ChannelGroup channels = new DefaultChannelGroup("paxlog-peers-" + config.selfId(), GlobalEventExecutor.INSTANCE);
        Channel serverChannel;
        // A peer that connects to us is up: our connection to it should not wait out its backoff.
        Map<Integer, OutboundPeer> outboundByPeer = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            serverChannel = new ServerBootstrap()
                    .group(group)
                    .channel(EventLoops.serverChannel(group))
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            channels.add(ch);
                            InboundPeerHandler.configure(ch.pipeline(), config, inbound, counters, peerId -> {
                                OutboundPeer outbound = outboundByPeer.get(peerId);
                                if (outbound != null) {
                                    outbound.peerIsUp();
                                }
                            });
                        }
                    })
                    .bind(config.listen())
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            EventLoops.shutdown(group, CLOSE_TIMEOUT);
            throw new UncheckedIOException(new IOException(
                    "server " + config.selfId() + " cannot listen for peers on " + config.listen() + ": " + e.getMessage(), e));
        }
        Map<Integer, OutboundPeer> peers = new HashMap<>();
        config.peers().forEach((id, address) ->
                peers.put(id, new OutboundPeer(id, address, config, counters, channels, group.next())));
        // Filled before any connection can be accepted and say hello (start() below comes after).
        outboundByPeer.putAll(peers);
        PeerNetwork network = new PeerNetwork(config, group, serverChannel, Map.copyOf(peers), counters, channels);
        log.info("server {} of cluster '{}' listening for peers on {} ({})", config.selfId(), config.clusterId(),
                serverChannel.localAddress(), Epoll.isAvailable() ? "epoll" : "nio");
        peers.values().forEach(OutboundPeer::start);
        return network;
    }

    /**
     * Sends {@code envelope.message()} to server {@code envelope.to()}, or drops it (counted in
     * {@link PeerNetworkCounters#dropped()}) if that peer is not connected, its queue is over
     * {@code queueBytesMax}, or the message is over {@code frameBytesMax}. Never blocks; does not throw
     * on network trouble. Loss is fine: the protocol re-sends what matters.
     *
     * @throws IllegalArgumentException if the envelope is not from this server or not to a configured
     *     peer: a bug in the caller, not a network condition
     */
    @Override
    public void send(Envelope envelope) {
        if (envelope.from() != config.selfId()) {
            throw new IllegalArgumentException("server " + config.selfId() + " cannot send " + envelope);
        }
        OutboundPeer peer = peers.get(envelope.to());
        if (peer == null) {
            throw new IllegalArgumentException("server " + envelope.to() + " is not a peer: " + envelope);
        }
        if (closed) {
            counters.dropped.increment();
            return;
        }
        byte[] body = encode(envelope.message());
        if (body.length > config.limits().frameBytesMax()) {
            counters.dropped.increment();
            log.warn("dropped {}: {} bytes, over the frame limit of {} (the core's message limit must be lower)",
                    envelope, body.length, config.limits().frameBytesMax());
            return;
        }
        peer.send(new Frame(FrameType.PEER_MESSAGE, config.selfId(), body));
    }

    /**
     * The body of {@code message}, encoded once for all peers when it is a store of the same entries as
     * the one before: a leader sends each follower a store of its own but of the very same entry
     * objects, which encoded per follower was most of the encoding a command cost. Identity of every
     * entry, not equality, so the check costs a few comparisons and cannot mistake one slot's command
     * for another's. Loop thread only (as {@link #send}).
     */
    private byte[] encode(Message message) {
        if (message instanceof Store store) {
            EncodedStore previous = lastStore;
            if (previous != null && sameEntries(previous.store(), store)) {
                return previous.body(); // frames never mutate their body: sharing it between peers is safe
            }
            byte[] body = MessageCodec.encode(store);
            lastStore = new EncodedStore(store, body);
            return body;
        }
        return MessageCodec.encode(message);
    }

    private static boolean sameEntries(Store a, Store b) {
        List<SlotCommand> x = a.entries();
        List<SlotCommand> y = b.entries();
        if (!a.epoch().equals(b.epoch()) || x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (x.get(i) != y.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** The bound peer address (with the real port when the config asked for port 0). */
    public InetSocketAddress listenAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Points the connection to {@code peerId} at a new address, from its next connection attempt on
     * (a peer that moved; tests whose peers bind ephemeral ports). Any thread.
     */
    public void peerAddress(int peerId, InetSocketAddress address) {
        OutboundPeer peer = peers.get(peerId);
        if (peer == null) {
            throw new IllegalArgumentException("server " + peerId + " is not a peer");
        }
        peer.address(address);
    }

    /** Whether our connection to {@code peerId} is up (handshake done). */
    public boolean isConnected(int peerId) {
        OutboundPeer peer = peers.get(peerId);
        return peer != null && peer.isConnected();
    }

    public PeerNetworkCounters counters() {
        return counters.snapshot();
    }

    /**
     * Stops listening, closes every connection and waits (at most a few seconds) for the event loops
     * to end. Messages still queued are dropped. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        peers.values().forEach(OutboundPeer::close);
        serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
        channels.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis());
        if (!EventLoops.shutdown(group, CLOSE_TIMEOUT)) {
            log.warn("peer event loops of server {} did not stop within {}", config.selfId(), CLOSE_TIMEOUT);
        }
        log.info("server {} peer network closed", config.selfId());
    }
}
