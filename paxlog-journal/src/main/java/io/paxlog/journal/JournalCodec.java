package io.paxlog.journal;

import io.paxlog.api.service.ServiceCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The journal's commands and results as {@link JournalMachine} writes and reads them (its class comment
 * has the byte layout). The format predates the Service API and is kept byte for byte: existing logs and
 * snapshots hold it.
 *
 * <p>A result does not say whether it answers an append or a read; its length does. An append's is
 * exactly 17 bytes (status, index, slot), a page's is 13 bytes with no entries and at least 33 with one
 * (each entry is 20 bytes plus its data), so 17 bytes is always an append.
 */
public final class JournalCodec implements ServiceCodec<JournalCommand, JournalResult> {

    public static final JournalCodec INSTANCE = new JournalCodec();

    private static final int APPENDED_BYTES = 17;
    private static final int READ_BYTES = 13;

    private JournalCodec() {}

    @Override
    public byte[] encodeCommand(JournalCommand command) {
        // instanceof, not a pattern switch (a preview in Java 17); a new kind fails loudly, never silently.
        if (command instanceof JournalCommand.Append append) {
            return JournalMachine.appendCommand(append.data());
        }
        if (command instanceof JournalCommand.Read read) {
            return JournalMachine.readCommand(read.fromIndex(), read.entriesMax());
        }
        throw new AssertionError("unknown journal command " + command);
    }

    @Override
    public JournalCommand decodeCommand(byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("journal command is empty");
        }
        return switch (payload[0]) {
            case JournalMachine.APPEND -> new JournalCommand.Append(Arrays.copyOfRange(payload, 1, payload.length));
            case JournalMachine.READ -> {
                if (payload.length != READ_BYTES) {
                    throw new IllegalArgumentException("a journal read is " + READ_BYTES + " bytes, was " + payload.length);
                }
                ByteBuffer in = ByteBuffer.wrap(payload, 1, READ_BYTES - 1);
                yield new JournalCommand.Read(in.getLong(), in.getInt());
            }
            default -> throw new IllegalArgumentException("journal command has unknown operation " + payload[0]);
        };
    }

    @Override
    public byte[] encodeResult(JournalResult result) {
        if (result instanceof JournalMachine.Appended appended) {
            return ByteBuffer.allocate(APPENDED_BYTES).put(JournalMachine.OK).putLong(appended.index())
                    .putLong(appended.slot()).array();
        }
        if (result instanceof JournalMachine.Page page) {
            return JournalMachine.encodePage(page.size(), page.entries());
        }
        if (result instanceof JournalResult.Refused refused) {
            return JournalMachine.error(switch (refused.reason()) {
                case FULL -> JournalMachine.FULL;
                case MALFORMED -> JournalMachine.MALFORMED;
            }, refused.message());
        }
        throw new AssertionError("unknown journal result " + result);
    }

    @Override
    public JournalResult decodeResult(byte[] result) {
        if (result.length == 0) {
            throw new IllegalArgumentException("empty journal result");
        }
        return switch (result[0]) {
            case JournalMachine.OK -> result.length == APPENDED_BYTES ? JournalMachine.decodeAppended(result)
                    : JournalMachine.decodePage(result);
            case JournalMachine.FULL -> refused(JournalResult.Reason.FULL, result);
            case JournalMachine.MALFORMED -> refused(JournalResult.Reason.MALFORMED, result);
            default -> throw new IllegalArgumentException("journal result has unknown status " + result[0]);
        };
    }

    private static JournalResult.Refused refused(JournalResult.Reason reason, byte[] result) {
        return new JournalResult.Refused(reason, new String(result, 1, result.length - 1, StandardCharsets.UTF_8));
    }
}
