package io.paxlog.transport.client;

import io.paxlog.transport.codec.DecodeException;
import io.paxlog.transport.internal.BodyReader;
import io.paxlog.transport.internal.BodyWriter;
import java.nio.charset.StandardCharsets;

/**
 * Bodies of the client frames. Big-endian; {@code bytes} is an int length then the bytes; strings are
 * UTF-8 {@code bytes}.
 *
 * <pre>
 * CLIENT_CALL:   kind byte ({@link ClientCall.Kind#code()}), then by kind:
 *   command (1): callId long, clientId long, sequence long, payload bytes
 *   read    (2): callId long, query bytes
 *   register   (3): callId long, payload bytes (empty)
 *   keep-alive (4): callId long, sessionId long, payload bytes (empty)
 * CLIENT_ANSWER: callId long, status byte ({@link ClientAnswer.Status#code()}), slot long,
 *                result bytes, leaderHint int, message string
 * </pre>
 *
 * <p>The call's kind byte versions the call body: a new kind adds a layout without changing the old
 * ones, and a server that does not know a kind refuses the frame (the connection closes with "unknown
 * call kind") instead of misreading it. Reads (kind 2) came after commands (kind 1). Stateless and
 * thread-safe.
 */
public final class ClientCodec {

    private ClientCodec() {}

    public static byte[] encodeCall(ClientCall call) {
        // Exactly the layout's length: kind, call id, (client id, sequence,) sized payload.
        int length = 1 + 8 + (call.kind() == ClientCall.Kind.COMMAND ? 16 : 0) + 4 + call.payload().length;
        BodyWriter out = new BodyWriter(length)
                .writeByte(call.kind().code())
                .writeLong(call.callId());
        switch (call.kind()) {
            case COMMAND -> out.writeLong(call.clientId()).writeLong(call.sequence());
            case KEEP_ALIVE -> out.writeLong(call.clientId());
            case READ, REGISTER -> { }
        }
        return out.writeSizedBytes(call.payload()).toByteArray();
    }

    public static ClientCall decodeCall(byte[] body) throws DecodeException {
        BodyReader in = new BodyReader(body);
        byte code = in.readByte();
        ClientCall.Kind kind = ClientCall.Kind.fromCode(code);
        if (kind == null) {
            throw new DecodeException("unknown call kind " + code);
        }
        long callId = in.readLong();
        long clientId = 0;
        long sequence = 0;
        switch (kind) {
            case COMMAND -> {
                clientId = in.readLong();
                sequence = in.readLong();
            }
            case KEEP_ALIVE -> clientId = in.readLong();
            case READ, REGISTER -> { }
        }
        byte[] payload = in.readSizedBytes("payload");
        in.finish("call");
        try {
            return new ClientCall(callId, kind, clientId, sequence, payload);
        } catch (IllegalArgumentException e) {
            throw new DecodeException("invalid call: " + e.getMessage(), e);
        }
    }

    public static byte[] encodeAnswer(ClientAnswer answer) {
        byte[] message = answer.message().getBytes(StandardCharsets.UTF_8);
        // Exactly the layout's length, so the body is not trimmed by a copy.
        return new BodyWriter(8 + 1 + 8 + 4 + answer.result().length + 4 + 4 + message.length)
                .writeLong(answer.callId())
                .writeByte(answer.status().code())
                .writeLong(answer.slot())
                .writeSizedBytes(answer.result())
                .writeInt(answer.leaderHint())
                .writeSizedBytes(message)
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
