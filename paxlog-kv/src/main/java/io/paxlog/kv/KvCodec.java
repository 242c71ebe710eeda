package io.paxlog.kv;

import io.paxlog.api.service.ServiceCodec;

/** The key-value service's {@link ServiceCodec}: the {@link KvCommands} format, typed. */
public final class KvCodec implements ServiceCodec<KvCommand, KvResult> {

    public static final KvCodec INSTANCE = new KvCodec();

    private KvCodec() {}

    @Override
    public byte[] encodeCommand(KvCommand command) {
        return KvCommands.encode(command);
    }

    @Override
    public KvCommand decodeCommand(byte[] payload) {
        return KvCommands.decodeCommand(payload);
    }

    @Override
    public byte[] encodeResult(KvResult result) {
        return KvCommands.encodeResult(result);
    }

    @Override
    public KvResult decodeResult(byte[] result) {
        return KvCommands.decodeResult(result);
    }
}
