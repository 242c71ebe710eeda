package io.paxlog.api.service;

import io.paxlog.api.StateMachine;

/**
 * A replicated service: what every server of a cluster runs, named by the configuration's
 * {@code cluster.service}. A server finds the services on its classpath through
 * {@link java.util.ServiceLoader}: a jar that lists its implementation in
 * {@code META-INF/services/io.paxlog.api.service.Service} runs under {@code paxlog server} with no change
 * to paxlog's code.
 *
 * <p>A service is a factory: the runtime asks it for one state machine per server (and a fresh one per
 * restart) and for the leader duties that go with that machine. Everything it hands out must behave
 * the same on every server (see {@link StateMachine}); only {@link LeaderDuties} may read the time,
 * and only what a leader proposes through the log changes the state.
 *
 * @param <C> the service's commands (and read-only queries), as its {@link #codec()} decodes them
 * @param <R> the service's results
 */
public interface Service<C, R> {

    /**
     * The name {@code cluster.service} selects this service by: lower-case letters, digits and '-',
     * unique among the services on the classpath.
     */
    String name();

    /** A fresh, empty state machine: one per server, and a new one each time a server starts. */
    StateMachine newStateMachine();

    /**
     * The leader's duties over {@code machine} (one of this service's machines, which the duties may
     * read between two steps of the core, on the thread that owns it). Default: none.
     */
    default LeaderDuties newLeaderDuties(StateMachine machine) {
        return LeaderDuties.NONE;
    }

    /** How the service's commands, queries and results are written in the log and on the wire. */
    ServiceCodec<C, R> codec();

    /** A command or query for people: logs, the simulator's traces. Never throws. */
    default String describeCommand(byte[] payload) {
        try {
            return String.valueOf(codec().decodeCommand(payload));
        } catch (RuntimeException e) {
            return payload.length + " B (not a " + name() + " command)";
        }
    }

    /** A result for people. Never throws. */
    default String describeResult(byte[] result) {
        try {
            return String.valueOf(codec().decodeResult(result));
        } catch (RuntimeException e) {
            return result.length + " B (not a " + name() + " result)";
        }
    }
}
