package io.paxlog.kv;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.Service;
import io.paxlog.api.service.ServiceCodec;

/**
 * {@code service: kv}: the key-value store ({@link KvMachine}), registered in
 * {@code META-INF/services/io.paxlog.api.service.Service} so that a server finds it by name. No leader
 * duties: nothing in the store depends on time.
 */
public final class KvService implements Service<KvCommand, KvResult> {

    public static final String NAME = "kv";

    @Override
    public String name() {
        return NAME;
    }

    /** Default limits only: they are part of the replicated behaviour, so every server must agree on them. */
    @Override
    public StateMachine newStateMachine() {
        return new KvMachine();
    }

    @Override
    public ServiceCodec<KvCommand, KvResult> codec() {
        return KvCodec.INSTANCE;
    }
}
