package io.paxlog.transport.client;

import io.paxlog.transport.codec.DecodeException;
import io.paxlog.transport.internal.BodyReader;
import io.paxlog.transport.internal.BodyWriter;

/**
 * Bodies of the client frames. Big-endian; {@code bytes} is an int length then the bytes; strings are
 * UTF-8 {@code bytes}.
 *
 * <pre>
 * CLIENT_CALL:   kind byte (1 = command), callId long, clientId long, sequence long, payload bytes
 * CLIENT_ANSWER: callId long, status byte ({@link ClientAnswer.Status#code()}), slot long,
 *                result bytes, leaderHint int, message string
 * </pre>
 *
 * <p>The call's kind byte leaves room for read-only queries (linearizable reads) without a new
 * protocol version; today every call is a command. Stateless and thread-safe.
 */
public final class ClientCodec {

    /** The only call kind so far: a command for the replicated log. */
    static final byte KIND_COMMAND = 1;

    private ClientCodec() {}

    public static byte[] encodeCall(ClientCall call) {
        return new BodyWriter(29 + call.payload().length + 4)
                .writeByte(KIND_COMMAND)
                .writeLong(call.callId())
                .writeLong(call.clientId())
                .writeLong(call.sequence())
                .writeSizedBytes(call.payload())
                .toByteArray();
    }

    public static ClientCall decodeCall(byte[] body) throws DecodeException {
        BodyReader in = new BodyReader(body);
        byte kind = in.readByte();
        if (kind != KIND_COMMAND) {
            throw new DecodeException("unknown call kind " + kind);
        }
        long callId = in.readLong();
        long clientId = in.readLong();
        long sequence = in.readLong();
        byte[] payload = in.readSizedBytes("payload");
        in.finish("call");
        try {
            return new ClientCall(callId, clientId, sequence, payload);
        } catch (IllegalArgumentException e) {
            throw new DecodeException("invalid call: " + e.getMessage(), e);
        }
    }

    public static byte[] encodeAnswer(ClientAnswer answer) {
        return new BodyWriter(33 + answer.result().length + answer.message().length() * 3)
                .writeLong(answer.callId())
                .writeByte(answer.status().code())
                .writeLong(answer.slot())
                .writeSizedBytes(answer.result())
                .writeInt(answer.leaderHint())
                .writeString(answer.message())
                .toByteArray();
    }

    public static ClientAnswer decodeAnswer(byte[] body) throws DecodeException {
        BodyReader in = new BodyReader(body);
        long callId = in.readLong();
        byte code = in.readByte();
        ClientAnswer.Status status = ClientAnswer.Status.fromCode(code);
        if (status == null) {
            throw new DecodeException("unknown answer status " + code);
        }
        long slot = in.readLong();
        byte[] result = in.readSizedBytes("result");
        int leaderHint = in.readInt();
        String message = in.readString("message");
        in.finish("answer");
        try {
            return new ClientAnswer(callId, status, slot, result, leaderHint, message);
        } catch (IllegalArgumentException e) {
            throw new DecodeException("invalid answer: " + e.getMessage(), e);
        }
    }
}
