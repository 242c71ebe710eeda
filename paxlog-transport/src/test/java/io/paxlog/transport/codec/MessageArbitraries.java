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
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Valid messages of every kind, with values across their whole ranges. */
public final class MessageArbitraries {

    private MessageArbitraries() {}

    public static Arbitrary<Message> messages() {
        return Arbitraries.of(MessageKind.class).flatMap(MessageArbitraries::of);
    }

    /** A switch expression over every kind: a new kind does not compile here until it has a generator. */
    public static Arbitrary<Message> of(MessageKind kind) {
        Arbitrary<? extends Message> messages = switch (kind) {
            case OVERTHROW -> epochs().map(Overthrow::new);
            case OVERTHROW_OK -> Combinators.combine(epochs(), slotsOrZero(), slotsOrZero())
                    .as((e, a, b) -> new OverthrowOk(e, Math.max(a, b), Math.min(a, b)));
            case REJECTED -> Combinators.combine(epochs(), epochs(), Arbitraries.of(MessageKind.class))
                    .filter((a, b, request) -> !a.equals(b))
                    .as((a, b, request) -> new Rejected(a.isBelow(b) ? a : b, Epoch.max(a, b), request));
            case STORE -> Combinators.combine(epochs(), slotCommands().list().ofMinSize(1).ofMaxSize(8)).as(Store::new);
            case STORE_OK -> Combinators.combine(epochs(), slots().list().ofMaxSize(16)).as(StoreOk::new);
            case FINALIZE -> Combinators.combine(epochs(), slots().list().ofMinSize(1).ofMaxSize(16)).as(Finalize::new);
            case FINALIZE_REPLY -> Combinators.combine(epochs(), epochs(), slots().list().ofMaxSize(8),
                            slots().list().ofMaxSize(8), slots())
                    .as(FinalizeReply::new);
            case READ -> Combinators.combine(epochs(), Arbitraries.longs().between(1, Long.MAX_VALUE / 2),
                            Arbitraries.longs().between(0, 1000))
                    .as((e, from, span) -> new Read(e, from, from + span));
            case READ_REPLY -> readReplies();
            case QUERY -> Combinators.combine(epochs(), Arbitraries.longs().greaterOrEqual(0)).as(Query::new);
            case QUERY_REPLY -> Combinators.combine(epochs(), epochs(), slots(), Arbitraries.longs().greaterOrEqual(0))
                    .as(QueryReply::new);
            case SNAPSHOT_REQUEST -> Combinators.combine(epochs(), slotsOrZero(), Arbitraries.longs().greaterOrEqual(0),
                            Arbitraries.integers().greaterOrEqual(1))
                    .as(SnapshotRequest::new);
            case SNAPSHOT_CHUNK -> snapshotChunks();
            case PRE_OVERTHROW -> epochs().map(PreOverthrow::new);
            case PRE_OVERTHROW_REPLY -> Combinators.combine(epochs(), epochs(), Arbitraries.of(true, false))
                    .as((e, promised, granted) -> new PreOverthrowReply(e, promised, granted && !e.isBelow(promised)));
        };
        return messages.map(m -> (Message) m);
    }

    static Arbitrary<Epoch> epochs() {
        return Combinators.combine(Arbitraries.longs().greaterOrEqual(0), Arbitraries.integers().greaterOrEqual(0))
                .as(Epoch::new);
    }

    static Arbitrary<Long> slots() {
        return Arbitraries.longs().between(1, Long.MAX_VALUE);
    }

    static Arbitrary<Long> slotsOrZero() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE);
    }

    static Arbitrary<Command> commands() {
        Arbitrary<Command> real = Combinators.combine(slots(), slots(), Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
                .as(Command::new);
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(Command.NOOP)), Tuple.of(9, real));
    }

    static Arbitrary<SlotCommand> slotCommands() {
        return Combinators.combine(slots(), commands()).as(SlotCommand::new);
    }

    private static Arbitrary<ReadReply> readReplies() {
        return Combinators.combine(epochs(), epochs(), Arbitraries.longs().between(1, 1L << 50),
                        Arbitraries.integers().between(0, 40), Arbitraries.integers().between(0, 41))
                .flatAs((e, promised, from, span, compacted) -> {
                    long to = from + span;
                    long snapshotSlot = compacted == 0 ? 0 : from - 1 + Math.min(compacted, span + 1);
                    long firstListable = Math.max(from, snapshotSlot + 1);
                    if (firstListable > to) {
                        return Arbitraries.just(new ReadReply(e, promised, from, to, List.of(), snapshotSlot));
                    }
                    Arbitrary<SlotState> states = Combinators.combine(
                                    Arbitraries.longs().between(firstListable, to), epochs(), commands(),
                                    Arbitraries.of(true, false))
                            .as(SlotState::new);
                    return states.list().ofMaxSize(6)
                            .map(list -> new ReadReply(e, promised, from, to, list, snapshotSlot));
                });
    }

    private static Arbitrary<SnapshotChunk> snapshotChunks() {
        return Combinators.combine(epochs(), slots(), Arbitraries.bytes().array(byte[].class).ofMaxSize(256),
                        Arbitraries.integers(), Arbitraries.longs().between(0, 1 << 20),
                        Arbitraries.longs().between(0, 1 << 20))
                .as((e, slot, bytes, checksum, offset, after) ->
                        new SnapshotChunk(e, slot, offset + bytes.length + after, checksum, offset, bytes));
    }
}
