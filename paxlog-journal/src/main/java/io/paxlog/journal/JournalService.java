package io.paxlog.journal;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.Service;
import io.paxlog.api.service.ServiceCodec;

/**
 * {@code service: journal}: the append-only {@link JournalMachine}, registered in
 * {@code META-INF/services/io.paxlog.api.service.Service} so that a server finds it by name. No leader
 * duties: nothing in a journal depends on time.
 */
public final class JournalService implements Service<JournalCommand, JournalResult> {

    public static final String NAME = "journal";

    @Override
    public String name() {
        return NAME;
    }

    /** The default limit only: it is part of the replicated behaviour, so every server must agree on it. */
    @Override
    public StateMachine newStateMachine() {
        return new JournalMachine();
    }

    @Override
    public ServiceCodec<JournalCommand, JournalResult> codec() {
        return JournalCodec.INSTANCE;
    }
}
