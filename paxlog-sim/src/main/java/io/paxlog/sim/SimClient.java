package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.client.core.ClientCore;
import io.paxlog.core.runtime.CommandAnswer;
import java.util.HashMap;
import java.util.Map;

/**
 * A client of the simulated cluster: one operation at a time, run by the client library's own rules
 * ({@link ClientCore}: leader hints, retries with the same {@code (clientId, sequence)}, attempt and
 * request timeouts, and the outcome it reports: applied, not applied, or unknown). Its history feeds
 * the linearizability check; the outcomes it reports are checked against the log.
 */
final class SimClient {

    /** One attempt of a call travelling to a server: {@code command} carries its ids and bytes (a register's are empty). */
    record Request(int client, long attempt, Command command, Kind kind) {
        enum Kind {
            COMMAND,
            READ,
            REGISTER,
            KEEP_ALIVE
        }
    }

    /** A server's answer to attempt {@code attempt}, travelling back. */
    record Reply(long attempt, CommandAnswer answer) {}

    final int index;
    final long clientId;
    final ClientCore<OpRecord> core;
    /** The current operation, or the last one once it ended. */
    OpRecord current;
    /** The sequence of the client's latest command (the core numbers them 1, 2, 3, ...). */
    long sequence;
    /** Attempts whose call is on the wire to (or waiting at) a server, by attempt id: the server. */
    final Map<Long, Integer> onTheWire = new HashMap<>();
    /** The earliest timer the core asked for and that is scheduled, or Long.MAX_VALUE. */
    long timerAt = Long.MAX_VALUE;

    SimClient(int index, long clientId, ClientCore<OpRecord> core) {
        this.index = index;
        this.clientId = clientId;
        this.core = core;
    }

    boolean busy() {
        return current != null && !current.ended();
    }
}
