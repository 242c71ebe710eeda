package io.paxlog.server;

import io.paxlog.api.StateMachine;
import io.paxlog.journal.JournalMachine;
import io.paxlog.kv.KvMachine;
import io.paxlog.lock.LockMachine;
import io.paxlog.server.config.ClusterConfig;
import java.util.function.Supplier;

/** The state machines a server can run, by the name the configuration's {@code service} gives. */
public final class Services {

    private Services() {}

    /**
     * A fresh, empty state machine of the named service per call.
     *
     * @throws IllegalArgumentException for a name not in {@link ClusterConfig#SERVICES}
     */
    public static Supplier<StateMachine> byName(String service) {
        return switch (service) {
            case "journal" -> JournalMachine::new;
            // Default limits only: they are part of the replicated behaviour, so every server must agree.
            case "kv" -> KvMachine::new;
            case "lock" -> LockMachine::new;
            default -> throw new IllegalArgumentException("unknown service \"" + service + "\"; known: "
                    + ClusterConfig.SERVICES);
        };
    }
}
