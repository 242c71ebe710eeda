package io.paxlog.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sessions of the exactly-once table: per session the results of its last W sequences and the log
 * time it was last active. Kept in order of last activity (a touched session moves to the end), which
 * is the order expiry drops them in, so a clock command costs only the sessions it drops. Log time
 * never goes back, so that order is also by last-active time.
 *
 * <p>Thread: owned by the thread that applies commands.
 */
final class SessionTable {

    record Saved(long slot, byte[] result) {}

    static final class Session {
        long highestSequence;
        long lastActive;
        final TreeMap<Long, Saved> results = new TreeMap<>();
    }

    /** A session as written in a snapshot; {@code results} is a copy. */
    record Frozen(long id, long lastActive, long highestSequence, TreeMap<Long, Saved> results) {}

    /** Insertion order is last-activity order: {@link #touch} removes and puts again. */
    private final LinkedHashMap<Long, Session> sessions = new LinkedHashMap<>();

    Session get(long id) {
        return sessions.get(id);
    }

    int size() {
        return sessions.size();
    }

    Session open(long id, long logTime) {
        Session session = new Session();
        session.lastActive = logTime;
        if (sessions.putIfAbsent(id, session) != null) {
            throw new IllegalStateException("session " + id + " is already open");
        }
        return session;
    }

    /** {@code session} (open under {@code id}) was active at {@code logTime}. */
    void touch(long id, Session session, long logTime) {
        session.lastActive = logTime;
        sessions.remove(id);
        sessions.put(id, session);
    }

    /** The first clock of a log: whatever was open before it counts as active at its time. */
    void touchAll(long logTime) {
        for (Session session : sessions.values()) {
            session.lastActive = logTime;
        }
    }

    /** Drops every session silent for longer than {@code timeoutMs} at {@code logTime}; returns how many. */
    int expire(long logTime, long timeoutMs) {
        int dropped = 0;
        Iterator<Session> oldestFirst = sessions.values().iterator();
        while (oldestFirst.hasNext()) {
            Session session = oldestFirst.next();
            if (logTime - session.lastActive <= timeoutMs) {
                break;
            }
            oldestFirst.remove();
            dropped++;
        }
        return dropped;
    }

    List<Frozen> freeze() {
        List<Frozen> frozen = new ArrayList<>(sessions.size());
        for (Map.Entry<Long, Session> entry : sessions.entrySet()) {
            Session session = entry.getValue();
            frozen.add(new Frozen(entry.getKey(), session.lastActive, session.highestSequence,
                    new TreeMap<>(session.results)));
        }
        return frozen;
    }

    /** Replaces the table with {@code frozen}, in its order (which was last-activity order). */
    void replace(List<Frozen> frozen) {
        sessions.clear();
        for (Frozen entry : frozen) {
            Session session = new Session();
            session.lastActive = entry.lastActive();
            session.highestSequence = entry.highestSequence();
            session.results.putAll(entry.results());
            if (sessions.put(entry.id(), session) != null) {
                throw new IllegalArgumentException("exactly-once snapshot holds session " + entry.id() + " twice");
            }
        }
    }
}
