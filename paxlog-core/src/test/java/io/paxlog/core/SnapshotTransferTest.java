package io.paxlog.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.Envelope;
import io.paxlog.api.message.Finalize;
import io.paxlog.api.message.FinalizeReply;
import io.paxlog.api.message.Read;
import io.paxlog.api.message.ReadReply;
import io.paxlog.api.message.SnapshotChunk;
import io.paxlog.api.message.SnapshotRequest;
import io.paxlog.api.message.Store;
import io.paxlog.api.message.SlotCommand;
import io.paxlog.api.message.StoreOk;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The receiving and serving ends of a snapshot transfer, and the acceptor on compacted slots. */
class SnapshotTransferTest {

    static final Epoch E = new Epoch(3, 2);

    private static int crc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }

    /**
     * A snapshot's bytes as the runtime writes them: the membership history at {@code slot} (the seed,
     * nothing changed), then {@code stateBytes} bytes of state.
     */
    private static byte[] snapshotBytes(long slot, int stateBytes) {
        MembershipHistory history = new MembershipHistory(Fixture.config(1, 3).seedMembership(), true);
        for (long s = 1; s <= slot; s++) {
            history.apply(s, Command.NOOP);
        }
        return CoreSnapshot.wrap(history, io.paxlog.api.SnapshotSource.of(data(stateBytes))).toByteArray();
    }

    private static byte[] data(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 7 + 1);
        }
        return data;
    }

    private static List<Envelope> sent(List<Effects> all) {
        List<Envelope> sent = new ArrayList<>();
        all.forEach(effects -> sent.addAll(effects.send()));
        return sent;
    }

    private static Snapshot installed(List<Effects> all) {
        return all.stream().map(Effects::install).filter(s -> s != null).findFirst().orElse(null);
    }

    private static List<Effects> receive(Replica replica, int from, io.paxlog.api.message.Message message) {
        return Fixture.settle(replica, replica.receive(new Envelope(from, replica.selfId(), message)));
    }

    @Test
    void anOfferStartsAFetchAndTheVerifiedSnapshotIsInstalledChunkByChunk() {
        Replica replica = Fixture.started(Fixture.config(1, 3).withSnapshotChunkBytes(16));
        byte[] data = snapshotBytes(10, 40);
        List<Effects> effects = receive(replica, 2, new SnapshotChunk(E, 10, data.length, crc(data), 0, new byte[0]));
        int window = SnapshotTransfer.WINDOW_CHUNKS * 16;
        assertThat(sent(effects)).extracting(Envelope::message)
                .containsExactly(new SnapshotRequest(replica.promised(), 10, 0, window));

        effects = receive(replica, 2, new SnapshotChunk(E, 10, data.length, crc(data), 0, Arrays.copyOfRange(data, 0, 16)));
        assertThat(sent(effects)).as("the window asked for is still arriving").isEmpty();
        // A duplicate of the first chunk changes nothing and asks for nothing.
        effects = receive(replica, 2, new SnapshotChunk(E, 10, data.length, crc(data), 0, Arrays.copyOfRange(data, 0, 16)));
        assertThat(sent(effects)).isEmpty();
        // The last chunk overtakes the middle one.
        effects = receive(replica, 2, new SnapshotChunk(E, 10, data.length, crc(data), 32, Arrays.copyOfRange(data, 32, data.length)));
        assertThat(installed(effects)).isNull();
        effects = receive(replica, 2, new SnapshotChunk(E, 10, data.length, crc(data), 16, Arrays.copyOfRange(data, 16, 32)));

        Snapshot snapshot = installed(effects);
        assertThat(snapshot).isEqualTo(new Snapshot(10, data));
        assertThat(replica.appliedSlot()).isEqualTo(10);
        assertThat(replica.snapshotSlot()).isEqualTo(10);
        assertThat(replica.firstUnfinalizedSlot()).isEqualTo(11);
        assertThat(replica.lastUsedSlot()).isEqualTo(10);
    }

    @Test
    void aSnapshotWhoseChecksumFailsIsNeverInstalled() {
        Replica replica = Fixture.started(Fixture.config(1, 3).withSnapshotChunkBytes(64));
        byte[] data = snapshotBytes(10, 40);
        byte[] corrupted = data.clone();
        corrupted[17] ^= 0x20;
        List<Effects> effects = receive(replica, 2, new SnapshotChunk(E, 10, data.length, crc(data), 0, corrupted));
        assertThat(installed(effects)).isNull();
        assertThat(replica.appliedSlot()).isZero();
        assertThat(replica.snapshotSlot()).isZero();
        // The next offer starts over, and a correct copy goes in.
        receive(replica, 2, new SnapshotChunk(E, 10, data.length, crc(data), 0, new byte[0]));
        effects = receive(replica, 2, new SnapshotChunk(E, 10, data.length, crc(data), 0, data));
        assertThat(installed(effects)).isEqualTo(new Snapshot(10, data));
    }

    @Test
    void aSnapshotNotAheadOfTheFirstUnfinalizedSlotIsIgnored() {
        Replica replica = Fixture.started(Fixture.config(1, 3));
        byte[] data = snapshotBytes(10, 8);
        receive(replica, 2, new SnapshotChunk(E, 10, data.length, crc(data), 0, data));
        assertThat(replica.snapshotSlot()).isEqualTo(10);
        List<Effects> effects = receive(replica, 3, new SnapshotChunk(E, 7, data.length, crc(data), 0, data));
        assertThat(installed(effects)).isNull();
        assertThat(sent(effects)).isEmpty();
        assertThat(replica.snapshotSlot()).isEqualTo(10);
    }

    @Test
    void aLostChunkIsAskedForAgainOnTheTimerFromTheOffsetReached() {
        Replica replica = Fixture.started(Fixture.config(1, 3).withSnapshotChunkBytes(16));
        byte[] data = data(40);
        receive(replica, 2, new SnapshotChunk(E, 10, 40, crc(data), 0, Arrays.copyOfRange(data, 0, 16)));
        // The chunk at 16 is lost. A heartbeat interval later the timer asks again.
        List<Effects> effects = Fixture.settle(replica, replica.tick(Fixture.HEARTBEAT));
        assertThat(sent(effects)).extracting(Envelope::message)
                .contains(new SnapshotRequest(replica.promised(), 10, 16, SnapshotTransfer.WINDOW_CHUNKS * 16));
    }

    @Test
    void theServingSideAnswersFromItsSnapshotInBoundedChunks() {
        Replica replica = Fixture.started(Fixture.config(1, 3).withSnapshotChunkBytes(16));
        // Apply 3 slots through finalize from a leader at E, then compact them.
        List<SlotCommand> entries = List.of(new SlotCommand(1, cmd(1)), new SlotCommand(2, cmd(2)), new SlotCommand(3, cmd(3)));
        receive(replica, 2, new Store(E, entries));
        receive(replica, 2, new Finalize(E, List.of(1L, 2L, 3L)));
        assertThat(replica.appliedSlot()).isEqualTo(3);
        byte[] data = data(40);
        Fixture.settle(replica, replica.compacted(new Snapshot(3, data)));
        assertThat(replica.entry(2)).isNull();

        List<Envelope> chunks = sent(receive(replica, 3, new SnapshotRequest(E, 3, 16, 16)));
        assertThat(chunks).hasSize(1);
        SnapshotChunk chunk = (SnapshotChunk) chunks.get(0).message();
        assertThat(chunk.slot()).isEqualTo(3);
        assertThat(chunk.offset()).isEqualTo(16);
        assertThat(chunk.bytes()).isEqualTo(Arrays.copyOfRange(data, 16, 32));
        assertThat(chunk.checksum()).isEqualTo(crc(data));
        // A whole window: the rest of the snapshot in bounded chunks.
        chunks = sent(receive(replica, 3, new SnapshotRequest(E, 3, 16, 1000)));
        assertThat(chunks).extracting(e -> ((SnapshotChunk) e.message()).offset()).containsExactly(16L, 32L);
        assertThat(((SnapshotChunk) chunks.get(1).message()).bytes()).isEqualTo(Arrays.copyOfRange(data, 32, 40));
        // Asked for another snapshot than ours: ours, from the start.
        chunk = (SnapshotChunk) sent(receive(replica, 3, new SnapshotRequest(E, 2, 32, 16))).get(0).message();
        assertThat(chunk.offset()).isZero();

        // Store and finalize on compacted slots are acknowledged; a read reports them through the snapshot slot.
        List<Envelope> replies = sent(receive(replica, 2, new Store(E, List.of(new SlotCommand(2, cmd(2))))));
        assertThat(replies).extracting(Envelope::message).containsExactly(new StoreOk(E, List.of(2L)));
        FinalizeReply finalized = (FinalizeReply) sent(receive(replica, 2, new Finalize(E, List.of(1L)))).get(0).message();
        assertThat(finalized.finalized()).containsExactly(1L);
        ReadReply read = (ReadReply) sent(receive(replica, 2, new Read(E, 1, 5))).get(0).message();
        assertThat(read.snapshotSlot()).isEqualTo(3);
        assertThat(read.slots()).isEmpty();
    }

    /** Content kept elsewhere (a store's file): counts its reads, and can be deleted under the core. */
    private static final class Stored implements io.paxlog.api.storage.SnapshotContent {
        final byte[] data;
        final List<String> reads = new ArrayList<>();
        boolean deleted;

        Stored(byte[] data) {
            this.data = data;
        }

        @Override
        public long slot() {
            return 3;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public int checksum() {
            return crc(data);
        }

        @Override
        public byte[] read(long offset, int length) {
            if (deleted) {
                throw new java.io.UncheckedIOException(new java.io.IOException("deleted"));
            }
            reads.add(offset + "+" + length);
            return Arrays.copyOfRange(data, (int) offset, (int) offset + length);
        }
    }

    @Test
    void aStoredSnapshotIsServedByReadingOnlyTheWindowAskedForAndADeletedOneAnswersNothing() {
        Replica replica = Fixture.started(Fixture.config(1, 3).withSnapshotChunkBytes(16));
        List<SlotCommand> entries = List.of(new SlotCommand(1, cmd(1)), new SlotCommand(2, cmd(2)), new SlotCommand(3, cmd(3)));
        receive(replica, 2, new Store(E, entries));
        receive(replica, 2, new Finalize(E, List.of(1L, 2L, 3L)));
        Stored stored = new Stored(data(200));
        Fixture.settle(replica, replica.compacted(stored));

        List<Envelope> chunks = sent(receive(replica, 3, new SnapshotRequest(E, 3, 32, 40)));
        assertThat(stored.reads).as("only the window asked for is read").containsExactly("32+16", "48+16", "64+8");
        assertThat(chunks).extracting(e -> ((SnapshotChunk) e.message()).totalBytes()).containsOnly(200L);
        assertThat(((SnapshotChunk) chunks.get(2).message()).bytes()).isEqualTo(Arrays.copyOfRange(stored.data, 64, 72));
        assertThat(((SnapshotChunk) chunks.get(0).message()).checksum()).isEqualTo(crc(stored.data));

        stored.deleted = true;
        assertThat(sent(receive(replica, 3, new SnapshotRequest(E, 3, 0, 16)))).as("dropped, as if lost").isEmpty();
    }

    @Test
    void compactingAboveTheAppliedSlotIsRefused() {
        Replica replica = Fixture.started(Fixture.config(1, 3));
        assertThatThrownBy(() -> replica.compacted(new Snapshot(1, data(4))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("above the applied slot");
    }

    @Test
    void aReplicaRecoveredFromASnapshotStartsAppliedThroughIt() {
        RecoveredState recovered = new RecoveredState(E, List.of(), new Snapshot(5, snapshotBytes(5, 8)));
        Replica replica = new Replica(Fixture.config(1, 3), recovered, new SplittableRandom(1), 0);
        replica.start();
        assertThat(replica.appliedSlot()).isEqualTo(5);
        assertThat(replica.snapshotSlot()).isEqualTo(5);
        assertThat(replica.firstUnfinalizedSlot()).isEqualTo(6);
        List<Envelope> chunk = sent(receive(replica, 2, new SnapshotRequest(E, 5, 0, 100)));
        assertThat(((SnapshotChunk) chunk.get(0).message()).bytes()).isEqualTo(snapshotBytes(5, 8));
    }

    private static Command cmd(long sequence) {
        return new Command(7, sequence, new byte[] {(byte) sequence});
    }
}
