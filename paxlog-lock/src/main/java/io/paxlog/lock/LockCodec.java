package io.paxlog.lock;

import io.paxlog.api.service.ServiceCodec;

/** The lock service's {@link ServiceCodec}: the {@link LockCommands} format, typed. */
public final class LockCodec implements ServiceCodec<LockCommand, LockResult> {

    public static final LockCodec INSTANCE = new LockCodec();

    private LockCodec() {}

    @Override
    public byte[] encodeCommand(LockCommand command) {
        return LockCommands.encode(command);
    }

    @Override
    public LockCommand decodeCommand(byte[] payload) {
        return LockCommands.decodeCommand(payload);
    }

    @Override
    public byte[] encodeResult(LockResult result) {
        return LockCommands.encodeResult(result);
    }

    @Override
    public LockResult decodeResult(byte[] result) {
        return LockCommands.decodeResult(result);
    }
}
