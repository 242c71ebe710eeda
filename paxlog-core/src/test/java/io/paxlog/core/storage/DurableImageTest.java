package io.paxlog.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.StoredEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurableImageTest {

    private static final Epoch E1 = new Epoch(1, 1);
    private static final Epoch E2 = new Epoch(2, 2);
    private static final Command A = new Command(1, 1, new byte[] {1});
    private static final Command B = new Command(1, 2, new byte[] {2});

    @Test
    void keepsThePromiseTheLatestEntryPerSlotAndFinalizeMarks() {
        DurableImage image = new DurableImage();
        image.apply(new PersistBatch(1, E1, List.of(new StoredEntry(1, E1, A), new StoredEntry(2, E1, A)), List.of()));
        image.apply(new PersistBatch(2, E2, List.of(new StoredEntry(2, E2, B)), List.of(1L)));
        assertThat(image.promised()).isEqualTo(E2);
        assertThat(image.recovered().entries())
                .containsExactly(new SlotState(1, E1, A, true), new SlotState(2, E2, B, false));
    }

    @Test
    void refusesABatchThatBreaksAnInvariantAndKeepsNothingOfIt() {
        DurableImage image = new DurableImage();
        image.apply(new PersistBatch(1, E2, List.of(new StoredEntry(1, E1, A)), List.of(1L)));
        assertThatThrownBy(() -> image.apply(new PersistBatch(2, E1, List.of(), List.of())))
                .hasMessageContaining("decrease");
        assertThatThrownBy(() -> image.apply(new PersistBatch(2, null, List.of(new StoredEntry(1, E2, B)), List.of())))
                .hasMessageContaining("finalized slot 1");
        assertThatThrownBy(() -> image.apply(new PersistBatch(2, E2, List.of(), List.of(7L))))
                .hasMessageContaining("slot 7");
        assertThat(image.promised()).isEqualTo(E2);
        assertThat(image.entries()).containsExactly(new SlotState(1, E1, A, true));
    }

    @Test
    void reStoringAFinalizedSlotWithItsOwnCommandIsAccepted() {
        DurableImage image = new DurableImage();
        image.apply(new PersistBatch(1, E1, List.of(new StoredEntry(1, E1, A)), List.of(1L)));
        assertThat(image.apply(new PersistBatch(2, E2, List.of(new StoredEntry(1, E2, A)), List.of()))).isEmpty();
        assertThat(image.entry(1)).isEqualTo(new SlotState(1, E1, A, true));
    }
}
