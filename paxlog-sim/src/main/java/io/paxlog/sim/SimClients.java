package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.core.runtime.CommandAnswer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated clients and their history: each runs one operation at a time through {@link SimClient},
 * sends every attempt as a {@link Event.ClientRequest} over a short network hop, and retries with the
 * same {@code (clientId, sequence)} after a timeout or a refusal until it completes, following leader
 * hints. Every completed operation goes into the history that the linearizability check reads.
 *
 * <p>Thread: the simulation's.
 */
final class SimClients {

    static final long CLIENT_TIMEOUT_MS = 400;
    /**
     * In a minority-only run, how long any command may take, from invocation to answer: three election
     * timeouts (the minority's fault may cost a leader, and a new one must be elected), two client
     * timeouts (a client may first try faulty servers that never answer) and a few LAN delays.
     */
    static final long AVAILABILITY_BOUND_MS = 3 * Simulation.ELECTION_MAX_MS + 2 * CLIENT_TIMEOUT_MS
            + 4 * SimNetwork.HEALED_DELAY_MAX_MS;

    private final Simulation sim;
    private final SimWorkload workload;
    private final Checker checker;
    private final SplittableRandom random;
    private final SplittableRandom workloadRandom;
    private final int servers;
    private final List<SimClient> clients = new ArrayList<>();
    private final List<OpRecord> history = new ArrayList<>();
    private long commandsCompleted;

    SimClients(Simulation sim, SimWorkload workload, Checker checker, SplittableRandom random,
            SplittableRandom workloadRandom, int servers) {
        this.sim = sim;
        this.workload = workload;
        this.checker = checker;
        this.random = random;
        this.workloadRandom = workloadRandom;
        this.servers = servers;
    }

    /** Adds {@code count} clients, each first talking to a random server, and lets them start. */
    void start(int count) {
        for (int i = 0; i < count; i++) {
            clients.add(new SimClient(i, 1000 + i, 1 + random.nextInt(servers)));
            sim.schedule(random.nextLong(50), new Event.ClientIssue(i));
        }
    }

    SimClient get(int index) {
        return clients.get(index);
    }

    List<OpRecord> history() {
        return history;
    }

    long commandsCompleted() {
        return commandsCompleted;
    }

    boolean anyBusy() {
        return clients.stream().anyMatch(SimClient::busy);
    }

    long busyCount() {
        return clients.stream().filter(SimClient::busy).count();
    }

    /** The liveness phase began: every idle client starts one more operation. */
    void issueAgain() {
        for (SimClient client : clients) {
            if (!client.busy()) {
                sim.schedule(random.nextLong(20), new Event.ClientIssue(client.index));
            }
        }
    }

    // ---- Events ----

    void issue(Event.ClientIssue event) {
        SimClient client = clients.get(event.client());
        if (!client.busy() && (!sim.inLiveness() || client.current == null || client.current.completed())) {
            Command command = client.next(workload, workloadRandom, sim.now());
            history.add(client.current);
            sim.trace().add(sim.now(), 0, "invoke", client.current, command.sequence());
            sendAttempt(client);
        }
    }

    void timeout(Event.ClientTimeout event) {
        SimClient client = clients.get(event.client());
        if (client.busy() && client.currentAttempt == event.attempt()) {
            checkAvailable(client.current, sim.now());
            sim.trace().add(sim.now(), 0, "timeout", "client " + client.clientId + " at s" + client.target, event.attempt());
            client.target = client.target % servers + 1;
            sendAttempt(client);
        }
    }

    void retry(Event.ClientRetry event) {
        SimClient client = clients.get(event.client());
        if (client.busy() && client.currentAttempt == event.attempt()) {
            checkAvailable(client.current, sim.now());
            sendAttempt(client);
        }
    }

    void reply(Event.ClientReply event) {
        SimClient client = clients.get(event.client());
        SimClient.Reply reply = event.reply();
        OpRecord op = client.current;
        if (op == null || op.completed()) {
            return;
        }
        CommandAnswer answer = reply.answer();
        switch (answer.status()) {
            case APPLIED -> {
                if (reply.sequence() != op.command.sequence()) {
                    return; // an answer to an earlier command of this client, arriving late
                }
                // Any attempt of the current command may answer it: all carry the same (clientId, sequence).
                completed(client, op, answer);
            }
            case REJECTED -> throw new Violation("client " + client.clientId + " got " + answer + " for " + op
                    + " (the workloads send only valid commands, within the exactly-once window)");
            case NOT_LEADER, NO_QUORUM, BUSY, ERROR -> {
                if (reply.attempt() != client.currentAttempt) {
                    return;
                }
                if (answer.status() == CommandAnswer.Status.NOT_LEADER
                        || answer.status() == CommandAnswer.Status.NO_QUORUM) {
                    client.target = answer.leaderHint() != 0 ? answer.leaderHint() : client.target % servers + 1;
                }
                sim.schedule(5 + random.nextLong(30), new Event.ClientRetry(client.index, client.currentAttempt));
            }
        }
    }

    /**
     * The availability check: while only a minority is faulty (and before the liveness phase changes
     * who is healthy), no command may be outstanding for longer than {@link #AVAILABILITY_BOUND_MS}.
     */
    private void checkAvailable(OpRecord op, long at) {
        if (sim.faults().minorityOnly() && !sim.inLiveness() && at - op.invokedAt > AVAILABILITY_BOUND_MS) {
            throw new Violation("availability: " + op + " still had no answer " + (at - op.invokedAt)
                    + " ms after it was invoked, while only a minority was faulty (bound " + AVAILABILITY_BOUND_MS + " ms)");
        }
    }

    private void completed(SimClient client, OpRecord op, CommandAnswer answer) {
        checkAvailable(op, sim.now());
        op.completedAt = sim.now();
        op.result = answer.result();
        op.slot = answer.slot();
        commandsCompleted++;
        sim.trace().add(sim.now(), 0, "complete", op, answer.slot());
        if (!op.indexRead) {
            checker.acknowledged(op.command, answer.slot());
        }
        for (SimWorkload.FencedWrite write : workload.completed(client, op, workloadRandom)) {
            sim.schedule(write.afterMs(), new Event.FencedWrite(write));
        }
        if (!sim.inLiveness()) {
            sim.schedule(random.nextLong(30), new Event.ClientIssue(client.index));
        }
    }

    private void sendAttempt(SimClient client) {
        long attempt = client.newAttempt();
        sim.schedule(sim.network().clientHopMs(), new Event.ClientRequest(client.target,
                new SimClient.Request(client.index, attempt, client.current.command, client.current.indexRead)));
        sim.schedule(CLIENT_TIMEOUT_MS, new Event.ClientTimeout(client.index, attempt));
    }
}
