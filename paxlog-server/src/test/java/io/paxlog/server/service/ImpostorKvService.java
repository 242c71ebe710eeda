package io.paxlog.server.service;

import io.paxlog.api.StateMachine;
import io.paxlog.api.service.Service;
import io.paxlog.api.service.ServiceCodec;

/** A second service calling itself "kv", as a stray jar on the class path would; loaded by ServiceCatalogTest. */
public final class ImpostorKvService implements Service<byte[], byte[]> {

    @Override
    public String name() {
        return "kv";
    }

    @Override
    public StateMachine newStateMachine() {
        throw new AssertionError("an impostor is never run");
    }

    @Override
    public ServiceCodec<byte[], byte[]> codec() {
        throw new AssertionError("an impostor is never run");
    }
}
