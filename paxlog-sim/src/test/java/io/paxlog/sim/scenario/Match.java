package io.paxlog.sim.scenario;

import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.Store;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Predicates over messages, so scripts read like the protocol:
 * {@code deliver(kind(STORE).and(from(1)).and(to(5)))}.
 */
final class Match {

    private Match() {}

    static Predicate<Envelope> any() {
        return envelope -> true;
    }

    static Predicate<Envelope> kind(MessageKind... kinds) {
        return envelope -> Arrays.asList(kinds).contains(envelope.message().kind());
    }

    static Predicate<Envelope> from(int server) {
        return envelope -> envelope.from() == server;
    }

    static Predicate<Envelope> to(int server) {
        return envelope -> envelope.to() == server;
    }

    /** Sent by or to this server. */
    static Predicate<Envelope> involving(int server) {
        return from(server).or(to(server));
    }

    /** A store carrying anything for {@code slot}. */
    static Predicate<Envelope> storeAt(long slot) {
        return envelope -> envelope.message() instanceof Store store
                && store.entries().stream().anyMatch(entry -> entry.slot() == slot);
    }
}
