package io.paxlog.transport.codec;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.Message;
import io.paxlog.api.message.MessageKind;
import io.paxlog.api.message.Overthrow;
import io.paxlog.api.message.OverthrowOk;
import io.paxlog.api.message.PreOverthrow;
import io.paxlog.api.message.PreOverthrowReply;
import io.paxlog.api.message.Query;
import io.paxlog.api.message.QueryReply;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.Rejected;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.message.SnapshotChunk;
import io.paxlog.api.message.SnapshotRequest;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.StoreOk;
import io.paxlog.transport.internal.BodyReader;
import io.paxlog.transport.internal.BodyWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a {@code PEER_MESSAGE} frame: one {@link Message}, big-endian. A kind code byte, then
 * the record's fields in declaration order, with these shapes:
 *
 * <pre>
 * epoch        round long, serverId int                          (12 bytes)
 * slot         long
 * slots        count int, then count slots
 * command      clientId long, sequence long, payload length int, payload bytes
 * slotCommand  slot, command
 * slotState    slot, acceptedEpoch, command, finalized byte (0 or 1)
 * kind         the kind code byte below
 *
 * code kind            fields
 *    1 OVERTHROW       epoch
 *    2 OVERTHROW_OK    epoch, lastUsedSlot, snapshotSlot
 *    3 REJECTED        epoch, promised epoch, request kind
 *    4 STORE           epoch, count int, count slotCommands
 *    5 STORE_OK        epoch, slots
 *    6 FINALIZE        epoch, slots
 *    7 FINALIZE_REPLY  epoch, promised epoch, finalized slots, missing slots, firstUnfinalizedSlot
 *    8 READ            epoch, fromSlot, toSlot
 *    9 READ_REPLY      epoch, promised epoch, fromSlot, toSlot, count int, count slotStates, snapshotSlot
 *   10 QUERY           epoch
 *   11 QUERY_REPLY     epoch, promised epoch, firstUnfinalizedSlot
 *   12 SNAPSHOT_REQUEST epoch, slot, offset long
 *   13 SNAPSHOT_CHUNK  epoch, slot, totalBytes long, checksum int, offset long, bytes length int, bytes
 *   14 PRE_OVERTHROW   epoch
 *   15 PRE_OVERTHROW_REPLY epoch, promised epoch, granted byte (0 or 1)
 * </pre>
 *
 * <p>Codes are never reused or renumbered. Both directions switch over {@link MessageKind}, so a new
 * kind does not compile until it has a code and a layout here.
 *
 * <p>Decoding trusts nothing: counts must fit in the bytes left, lengths must not be negative, no
 * bytes may trail, and the records' own checks (slots from 1, non-empty ranges, ...) become a
 * {@link DecodeException} like any other malformation. Stateless and thread-safe.
 */
public final class MessageCodec {

    private static final int EPOCH_BYTES = 12;
    private static final int COMMAND_BYTES_MIN = 20;
    private static final int SLOT_STATE_BYTES_MIN = 8 + EPOCH_BYTES + COMMAND_BYTES_MIN + 1;
    /** MessageKind.values() clones its array on every call; decoding looks a kind up per message. */
    private static final MessageKind[] KINDS = MessageKind.values();

    private MessageCodec() {}

    public static byte[] encode(Message message) {
        // Sized exactly: the body array is then the result as is. Sized from sizeBytes(), a store of 64
        // commands outgrew its buffer (4 bytes short per entry), which doubled it and then copied it once
        // more to trim it: the encode cost 2.5x its decode (issue 12).
        BodyWriter out = new BodyWriter(encodedBytes(message));
        out.writeByte(code(message.kind()));
        writeEpoch(out, message.epoch());
        switch (message.kind()) {
            case OVERTHROW, PRE_OVERTHROW -> { }
            case QUERY -> out.writeLong(((Query) message).round());
            case OVERTHROW_OK -> {
                OverthrowOk ok = (OverthrowOk) message;
                out.writeLong(ok.lastUsedSlot());
                out.writeLong(ok.snapshotSlot());
            }
            case REJECTED -> {
                Rejected rejected = (Rejected) message;
                writeEpoch(out, rejected.promised());
                out.writeByte(code(rejected.request()));
            }
            case STORE -> {
                List<SlotCommand> entries = ((Store) message).entries();
                out.writeInt(entries.size());
                for (SlotCommand entry : entries) {
                    out.writeLong(entry.slot());
                    writeCommand(out, entry.command());
                }
            }
            case STORE_OK -> writeSlots(out, ((StoreOk) message).slots());
            case FINALIZE -> writeSlots(out, ((Finalize) message).slots());
            case FINALIZE_REPLY -> {
                FinalizeReply reply = (FinalizeReply) message;
                writeEpoch(out, reply.promised());
                writeSlots(out, reply.finalized());
                writeSlots(out, reply.missing());
                out.writeLong(reply.firstUnfinalizedSlot());
            }
            case READ -> {
                Read read = (Read) message;
                out.writeLong(read.fromSlot());
                out.writeLong(read.toSlot());
            }
            case READ_REPLY -> {
                ReadReply reply = (ReadReply) message;
                writeEpoch(out, reply.promised());
                out.writeLong(reply.fromSlot());
                out.writeLong(reply.toSlot());
                out.writeInt(reply.slots().size());
                for (SlotState state : reply.slots()) {
                    out.writeLong(state.slot());
                    writeEpoch(out, state.acceptedEpoch());
                    writeCommand(out, state.command());
                    out.writeBoolean(state.finalized());
                }
                out.writeLong(reply.snapshotSlot());
            }
            case QUERY_REPLY -> {
                QueryReply reply = (QueryReply) message;
                writeEpoch(out, reply.promised());
                out.writeLong(reply.firstUnfinalizedSlot());
                out.writeLong(reply.round());
            }
            case SNAPSHOT_REQUEST -> {
                SnapshotRequest request = (SnapshotRequest) message;
                out.writeLong(request.slot());
                out.writeLong(request.offset());
                out.writeInt(request.length());
            }
            case SNAPSHOT_CHUNK -> {
                SnapshotChunk chunk = (SnapshotChunk) message;
                out.writeLong(chunk.slot());
                out.writeLong(chunk.totalBytes());
                out.writeInt(chunk.checksum());
                out.writeLong(chunk.offset());
                out.writeSizedBytes(chunk.bytes());
            }
            case PRE_OVERTHROW_REPLY -> {
                PreOverthrowReply reply = (PreOverthrowReply) message;
                writeEpoch(out, reply.promised());
                out.writeBoolean(reply.granted());
            }
        }
        return out.toByteArray();
    }

    /** The exact length of {@link #encode}'s result for {@code message}, per the layout above. */
    public static int encodedBytes(Message message) {
        int fields = switch (message.kind()) {
            case OVERTHROW, PRE_OVERTHROW -> 0;
            case QUERY -> 8;
            case OVERTHROW_OK -> 16;
            case REJECTED -> EPOCH_BYTES + 1;
            case STORE -> {
                int bytes = 4;
                for (SlotCommand entry : ((Store) message).entries()) {
                    bytes += 8 + commandBytes(entry.command());
                }
                yield bytes;
            }
            case STORE_OK -> slotsBytes(((StoreOk) message).slots());
            case FINALIZE -> slotsBytes(((Finalize) message).slots());
            case FINALIZE_REPLY -> {
                FinalizeReply reply = (FinalizeReply) message;
                yield EPOCH_BYTES + slotsBytes(reply.finalized()) + slotsBytes(reply.missing()) + 8;
            }
            case READ -> 16;
            case READ_REPLY -> {
                int bytes = EPOCH_BYTES + 8 + 8 + 4 + 8;
                for (SlotState state : ((ReadReply) message).slots()) {
                    bytes += 8 + EPOCH_BYTES + commandBytes(state.command()) + 1;
                }
                yield bytes;
            }
            case QUERY_REPLY -> EPOCH_BYTES + 8 + 8;
            case SNAPSHOT_REQUEST -> 8 + 8 + 4;
            case SNAPSHOT_CHUNK -> 8 + 8 + 4 + 8 + 4 + ((SnapshotChunk) message).bytes().length;
            case PRE_OVERTHROW_REPLY -> EPOCH_BYTES + 1;
        };
        return 1 + EPOCH_BYTES + fields;
    }

    private static int commandBytes(Command command) {
        return COMMAND_BYTES_MIN + command.payload().length;
    }

    private static int slotsBytes(List<Long> slots) {
        return 4 + 8 * slots.size();
    }

    public static Message decode(byte[] body) throws DecodeException {
        BodyReader in = new BodyReader(body);
        MessageKind kind = kind(in.readByte());
        Message message;
        try {
            message = decode(kind, in);
        } catch (DecodeException e) {
            throw new DecodeException(kind + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // The records refuse bad values with IllegalArgumentException; anything unchecked here is
            // still the peer's bytes, and must close its connection rather than escape to Netty.
            throw new DecodeException(kind + " refused: " + e.getMessage(), e);
        }
        in.finish(kind.toString());
        return message;
    }

    private static Message decode(MessageKind kind, BodyReader in) throws DecodeException {
        Epoch epoch = readEpoch(in);
        return switch (kind) {
            case OVERTHROW -> new Overthrow(epoch);
            case OVERTHROW_OK -> new OverthrowOk(epoch, in.readLong(), in.readLong());
            case REJECTED -> new Rejected(epoch, readEpoch(in), kind(in.readByte()));
            case STORE -> {
                int count = in.readCount(8 + COMMAND_BYTES_MIN, "entry");
                List<SlotCommand> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    entries.add(new SlotCommand(in.readLong(), readCommand(in)));
                }
                yield new Store(epoch, entries);
            }
            case STORE_OK -> new StoreOk(epoch, readSlots(in));
            case FINALIZE -> new Finalize(epoch, readSlots(in));
            case FINALIZE_REPLY -> new FinalizeReply(epoch, readEpoch(in), readSlots(in), readSlots(in), in.readLong());
            case READ -> new Read(epoch, in.readLong(), in.readLong());
            case READ_REPLY -> {
                Epoch promised = readEpoch(in);
                long fromSlot = in.readLong();
                long toSlot = in.readLong();
                int count = in.readCount(SLOT_STATE_BYTES_MIN, "slot state");
                List<SlotState> slots = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    slots.add(new SlotState(in.readLong(), readEpoch(in), readCommand(in), in.readBoolean()));
                }
                yield new ReadReply(epoch, promised, fromSlot, toSlot, slots, in.readLong());
            }
            case QUERY -> new Query(epoch, in.readLong());
            case QUERY_REPLY -> new QueryReply(epoch, readEpoch(in), in.readLong(), in.readLong());
            case SNAPSHOT_REQUEST -> new SnapshotRequest(epoch, in.readLong(), in.readLong(), in.readInt());
            case SNAPSHOT_CHUNK -> new SnapshotChunk(epoch, in.readLong(), in.readLong(), in.readInt(), in.readLong(),
                    in.readSizedBytes("snapshot chunk"));
            case PRE_OVERTHROW -> new PreOverthrow(epoch);
            case PRE_OVERTHROW_REPLY -> new PreOverthrowReply(epoch, readEpoch(in), in.readBoolean());
        };
    }

    static byte code(MessageKind kind) {
        return switch (kind) {
            case OVERTHROW -> 1;
            case OVERTHROW_OK -> 2;
            case REJECTED -> 3;
            case STORE -> 4;
            case STORE_OK -> 5;
            case FINALIZE -> 6;
            case FINALIZE_REPLY -> 7;
            case READ -> 8;
            case READ_REPLY -> 9;
            case QUERY -> 10;
            case QUERY_REPLY -> 11;
            case SNAPSHOT_REQUEST -> 12;
            case SNAPSHOT_CHUNK -> 13;
            case PRE_OVERTHROW -> 14;
            case PRE_OVERTHROW_REPLY -> 15;
        };
    }

    private static MessageKind kind(byte code) throws DecodeException {
        for (MessageKind kind : KINDS) {
            if (code(kind) == code) {
                return kind;
            }
        }
        throw new DecodeException("unknown message kind code " + code);
    }

    private static void writeEpoch(BodyWriter out, Epoch epoch) {
        out.writeLong(epoch.round());
        out.writeInt(epoch.serverId());
    }

    private static Epoch readEpoch(BodyReader in) throws DecodeException {
        return new Epoch(in.readLong(), in.readInt());
    }

    private static void writeCommand(BodyWriter out, Command command) {
        out.writeLong(command.clientId());
        out.writeLong(command.sequence());
        out.writeSizedBytes(command.payload());
    }

    private static Command readCommand(BodyReader in) throws DecodeException {
        return new Command(in.readLong(), in.readLong(), in.readSizedBytes("command payload"));
    }

    private static void writeSlots(BodyWriter out, List<Long> slots) {
        out.writeInt(slots.size());
        for (long slot : slots) {
            out.writeLong(slot);
        }
    }

    private static List<Long> readSlots(BodyReader in) throws DecodeException {
        int count = in.readCount(8, "slot");
        List<Long> slots = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            slots.add(in.readLong());
        }
        return slots;
    }
}
