package io.paxlog.sim;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.core.Apply;
import io.paxlog.core.Effects;
import io.paxlog.core.Entry;
import io.paxlog.core.ExactlyOnce;
import io.paxlog.core.Replica;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The invariants of docs/protocol.md#invariants, checked after every step of every server:
 * agreement and stability of finalized slots (across restarts), durability of acknowledged commands,
 * equal state for equal applied prefixes, {@code promised} never decreasing. Exactly-once is checked
 * by {@link AppendMachine} (in the other workloads, a command applied twice shows in later results);
 * linearizability by {@link Linearizability} at the end; each workload's own invariants by the
 * workload ({@link SimWorkload#firstApplied}).
 */
final class Checker {

    /** slot -> the one command any server ever finalized there. Grows only. */
    private final Map<Long, Command> chosen = new HashMap<>();
    /** stateHashAfter.get(slot - 1): state hash after applying slots 1..slot. */
    private final List<Long> stateHashAfter = new ArrayList<>();
    private final Map<Integer, Epoch> promisedSeen = new HashMap<>();
    /** slot -> epoch -> servers that durably accepted that slot's command at that epoch. */
    private final Map<Long, Map<Epoch, Accepted>> accepted = new HashMap<>();
    /** slot -> the first (epoch, command) a majority durably accepted: chosen, in Paxos terms. */
    private final Map<Long, Accepted> chosenByMajority = new HashMap<>();
    private final int majority;
    private long maxAppliedSlot;
    private long leaderElections;

    private static final class Accepted {
        final Epoch epoch;
        final Command command;
        int servers;

        Accepted(Epoch epoch, Command command) {
            this.epoch = epoch;
            this.command = command;
        }
    }

    Checker(int servers) {
        this.majority = servers / 2 + 1;
    }

    /**
     * A store became durable on a server. Tracks when a command becomes chosen (a majority durably
     * accepted it at one epoch) and checks the heart of Paxos: once chosen, no store at a higher
     * epoch carries a different command for that slot. This catches a wrong takeover even when no
     * server ever finalizes the overwritten command.
     */
    void durablyAccepted(int server, long slot, Epoch epoch, Command command) {
        Accepted chosenHere = chosenByMajority.get(slot);
        if (chosenHere != null && epoch.isAbove(chosenHere.epoch) && !command.equals(chosenHere.command)) {
            throw new Violation("server " + server + " accepted " + command + " at " + epoch + " for slot " + slot
                    + " but " + chosenHere.command + " was chosen there at " + chosenHere.epoch);
        }
        Map<Epoch, Accepted> byEpoch = accepted.computeIfAbsent(slot, s -> new HashMap<>());
        Accepted at = byEpoch.computeIfAbsent(epoch, e -> new Accepted(epoch, command));
        if (!at.command.equals(command)) {
            throw new Violation("two commands stored in slot " + slot + " under the same epoch " + epoch + ": "
                    + at.command + " and " + command);
        }
        at.servers |= 1 << server;
        if (Integer.bitCount(at.servers) >= majority) {
            if (chosenHere == null) {
                chosenByMajority.put(slot, at);
            } else if (!chosenHere.command.equals(command)) {
                throw new Violation("two commands chosen in slot " + slot + ": " + chosenHere.command + " at "
                        + chosenHere.epoch + " and " + command + " at " + epoch);
            }
        }
    }

    void stepped(Replica replica, Effects effects) {
        int server = replica.selfId();
        Epoch promised = replica.promised();
        Epoch before = promisedSeen.get(server);
        if (before != null && promised.isBelow(before)) {
            throw new Violation("promised decreased on server " + server + ": " + before + " -> " + promised);
        }
        promisedSeen.put(server, promised);
        for (PersistBatch batch : effects.persist()) {
            for (long slot : batch.finalizedSlots()) {
                Entry entry = replica.entry(slot);
                if (entry == null || !entry.finalized()) {
                    throw new Violation("server " + server + " wrote a finalize mark for slot " + slot
                            + " that it does not hold finalized");
                }
                agree(server, slot, entry.command());
            }
        }
    }

    /**
     * A restarted server starts from what its disk kept: the promise it finds may be lower than the
     * one it held in memory only (never sent), but never below what was durable.
     */
    void restarting(int server, Epoch durablePromised) {
        promisedSeen.put(server, durablePromised);
    }

    void restarted(Replica replica, Epoch durablePromised, List<SlotState> durableEntries) {
        int server = replica.selfId();
        if (replica.promised().isBelow(durablePromised)) {
            throw new Violation("server " + server + " restarted with promised " + replica.promised()
                    + " below its durable " + durablePromised);
        }
        promisedSeen.put(server, replica.promised());
        for (SlotState state : durableEntries) {
            if (state.finalized()) {
                agree(server, state.slot(), state.command());
            }
        }
    }

    void applied(Replica replica, Apply apply, ExactlyOnce.Outcome outcome, long stateHash) {
        agree(replica.selfId(), apply.slot(), apply.command());
        long slot = apply.slot();
        if (slot <= stateHashAfter.size()) {
            long expected = stateHashAfter.get((int) (slot - 1));
            if (expected != stateHash) {
                throw new Violation("state diverged: server " + replica.selfId() + " has state hash "
                        + Long.toHexString(stateHash) + " after slot " + slot + ", another server had "
                        + Long.toHexString(expected));
            }
        } else if (slot == stateHashAfter.size() + 1) {
            stateHashAfter.add(stateHash);
        } else {
            throw new Violation("server " + replica.selfId() + " applied slot " + slot + " before slot "
                    + (stateHashAfter.size() + 1) + " was applied anywhere");
        }
        maxAppliedSlot = Math.max(maxAppliedSlot, slot);
    }

    /**
     * A server's state machine was restored from a snapshot at {@code slot} (at start-up, or received
     * from another server): its state must be the one every server had after applying that slot.
     */
    void restored(Replica replica, long slot, long stateHash) {
        if (slot > stateHashAfter.size()) {
            throw new Violation("server " + replica.selfId() + " restored a snapshot at slot " + slot
                    + " but no server applied that slot yet");
        }
        long expected = stateHashAfter.get((int) (slot - 1));
        if (expected != stateHash) {
            throw new Violation("state diverged: server " + replica.selfId() + " restored a snapshot at slot " + slot
                    + " with state hash " + Long.toHexString(stateHash) + ", the servers that applied it had "
                    + Long.toHexString(expected));
        }
        maxAppliedSlot = Math.max(maxAppliedSlot, slot);
    }

    /** A client got an answer for its command at {@code slot}: the log must hold it there forever. */
    void acknowledged(Command command, long slot) {
        Command atSlot = chosen.get(slot);
        if (!command.equals(atSlot)) {
            throw new Violation("client was told " + command + " is at slot " + slot + " but that slot holds " + atSlot);
        }
    }

    void becameLeader() {
        leaderElections++;
    }

    long leaderElections() {
        return leaderElections;
    }

    Map<Long, Command> chosen() {
        return chosen;
    }

    long maxAppliedSlot() {
        return maxAppliedSlot;
    }

    private void agree(int server, long slot, Command command) {
        Command previous = chosen.putIfAbsent(slot, command);
        if (previous != null && !previous.equals(command)) {
            throw new Violation("agreement: server " + server + " finalized slot " + slot + " with " + command
                    + " but " + previous + " was finalized there before");
        }
    }
}
