package io.paxlog.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.Snapshot;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The yardstick a recovery is held to, with snapshots: the acknowledged snapshot or a newer one that was
 * in flight, and exactly the entries above it; an older snapshot, a lost entry or an invented one is
 * refused.
 */
class DurableModelTest {

    private static final Epoch E = new Epoch(1, 1);
    private static final DurableModel.StoredListener IGNORE = entry -> { };

    private static Command command(long slot) {
        return new Command(9, slot, new byte[] {(byte) slot, 1, 2});
    }

    /** Stores {@code from..to} (finalized when asked) in one batch, promising E first. */
    private static PersistBatch batch(long id, long from, long to, boolean finalized) {
        List<StoredEntry> entries = new ArrayList<>();
        List<Long> marks = new ArrayList<>();
        for (long slot = from; slot <= to; slot++) {
            entries.add(new StoredEntry(slot, E, command(slot)));
            if (finalized) {
                marks.add(slot);
            }
        }
        return new PersistBatch(id, id == 1 ? E : null, entries, marks);
    }

    private static Snapshot snapshot(long slot) {
        return new Snapshot(slot, new byte[] {(byte) slot, 42});
    }

    private static SlotState state(long slot, boolean finalized) {
        return new SlotState(slot, E, command(slot), finalized);
    }

    private static List<SlotState> states(long from, long to, boolean finalized) {
        List<SlotState> list = new ArrayList<>();
        for (long slot = from; slot <= to; slot++) {
            list.add(state(slot, finalized));
        }
        return list;
    }

    /** Slots 1..5 finalized, 6..7 stored, all acknowledged. */
    private static DurableModel sevenSlots() {
        DurableModel model = new DurableModel(1);
        model.apply(batch(1, 1, 5, true), IGNORE);
        model.apply(batch(2, 6, 7, false), IGNORE);
        return model;
    }

    @Test
    void anAcknowledgedSnapshotIsRecoveredWithOnlyTheEntriesAboveIt() {
        DurableModel model = sevenSlots();
        model.snapshotDurable(snapshot(5));

        assertThat(model.entries()).containsExactly(state(6, false), state(7, false));
        assertThat(model.snapshotSlot()).isEqualTo(5);
        assertThat(model.recovered(new RecoveredState(E, states(6, 7, false), snapshot(5)), List.of(), IGNORE))
                .isZero();
        assertThat(model.recovered(new RecoveredState(E, states(6, 7, false), new Snapshot(5, new byte[] {5, 43})),
                List.of(), IGNORE)).as("same slot, other bytes").isEqualTo(-1);
    }

    @Test
    void recordsForSlotsTheSnapshotCoversAreIgnoredAsRecoveryIgnoresThem() {
        DurableModel model = sevenSlots();
        model.snapshotDurable(snapshot(5));
        // A late finalize mark and a re-store below the snapshot: the log recovers without them.
        model.apply(new PersistBatch(3, null, List.of(new StoredEntry(2, E, command(2))), List.of(3L)), IGNORE);

        assertThat(model.recovered(new RecoveredState(E, states(6, 7, false), snapshot(5)), List.of(), IGNORE))
                .isZero();
    }

    @Test
    void aNewerSnapshotThatWasInFlightIsAcceptedWithTheEntriesItCoversGone() {
        DurableModel model = sevenSlots();
        model.snapshotDurable(snapshot(3));
        List<DurableModel.Write> inFlight = List.of(DurableModel.Write.of(snapshot(6)),
                DurableModel.Write.of(new PersistBatch(3, null, List.of(), List.of(7L))));
        List<SlotState> aboveSix = List.of(state(7, false));

        DurableModel kept = sevenSlots();
        kept.snapshotDurable(snapshot(3));
        assertThat(kept.recovered(new RecoveredState(E, aboveSix, snapshot(6)), inFlight, IGNORE))
                .as("the snapshot and nothing after it").isEqualTo(1);
        assertThat(kept.snapshotSlot()).isEqualTo(6);
        assertThat(kept.entries()).containsExactly(state(7, false));

        assertThat(model.recovered(new RecoveredState(E, List.of(state(7, true)), snapshot(6)), inFlight, IGNORE))
                .as("the snapshot and the finalize mark after it").isEqualTo(2);

        DurableModel lost = sevenSlots();
        lost.snapshotDurable(snapshot(3));
        assertThat(lost.recovered(new RecoveredState(E, states(4, 7, false).stream()
                .map(s -> s.slot() <= 5 ? state(s.slot(), true) : s).toList(), snapshot(3)), inFlight, IGNORE))
                .as("the one in flight lost: the acknowledged one").isZero();

        DurableModel other = sevenSlots();
        assertThat(other.recovered(new RecoveredState(E, aboveSix, new Snapshot(6, new byte[] {9})), inFlight,
                IGNORE)).as("a newer snapshot with bytes never written").isEqualTo(-1);
    }

    @Test
    void aSnapshotOlderThanTheAcknowledgedOneIsRefused() {
        DurableModel model = sevenSlots();
        model.snapshotDurable(snapshot(3));
        model.snapshotDurable(snapshot(5));
        RecoveredState older = new RecoveredState(E, List.of(state(4, true), state(5, true), state(6, false),
                state(7, false)), snapshot(3));

        assertThat(model.recovered(older, List.of(), IGNORE)).isEqualTo(-1);
        assertThat(model.firstDifference(older)).contains("older than the one acknowledged");
        RecoveredState olderSameEntries = new RecoveredState(E, states(6, 7, false), snapshot(3));
        assertThat(model.recovered(olderSameEntries, List.of(), IGNORE)).as("only the snapshot differs")
                .isEqualTo(-1);
        assertThat(model.recovered(new RecoveredState(E, states(1, 7, false)), List.of(), IGNORE))
                .as("no snapshot at all").isEqualTo(-1);
        assertThat(model.snapshotSlot()).as("a refused recovery changes nothing").isEqualTo(5);
    }

    @Test
    void aMissingAcknowledgedEntryAboveTheSnapshotIsRefused() {
        DurableModel model = sevenSlots();
        model.snapshotDurable(snapshot(5));
        RecoveredState missing = new RecoveredState(E, List.of(state(6, false)), snapshot(5));

        assertThat(model.recovered(missing, List.of(), IGNORE)).isEqualTo(-1);
        assertThat(model.firstDifference(missing)).contains("slot 7").contains("recovered none");

        // The same loss behind a newer snapshot that was in flight is still a loss.
        List<DurableModel.Write> inFlight = List.of(DurableModel.Write.of(snapshot(6)));
        assertThat(model.recovered(new RecoveredState(E, List.of(), snapshot(6)), inFlight, IGNORE)).isEqualTo(-1);
    }

    @Test
    void anInventedEntryAboveTheSnapshotIsRefused() {
        DurableModel model = sevenSlots();
        model.snapshotDurable(snapshot(5));
        List<SlotState> invented = new ArrayList<>(states(6, 7, false));
        invented.add(state(8, false));

        assertThat(model.recovered(new RecoveredState(E, invented, snapshot(5)), List.of(), IGNORE)).isEqualTo(-1);
    }

    @Test
    void snapshotsReportedDurableMustGoUp() {
        DurableModel model = sevenSlots();
        model.snapshotDurable(snapshot(5));

        assertThatThrownBy(() -> model.snapshotDurable(snapshot(5))).isInstanceOf(Violation.class)
                .hasMessageContaining("slot 5");
    }
}
