package io.paxlog.transport.frame;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * The bytes from a connection break the frame format or its rules (magic, version, limit, checksum,
 * cluster, sender). The connection that sent them is closed; the message says why, for the log line.
 *
 * <p>It extends Netty's {@link CorruptedFrameException} so that Netty passes it through unwrapped.
 */
public class FrameException extends CorruptedFrameException {

    public FrameException(String message) {
        super(message);
    }
}
