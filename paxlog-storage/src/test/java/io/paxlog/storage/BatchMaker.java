package io.paxlog.storage;

import io.paxlog.api.Command;
import io.paxlog.api.Epoch;
import io.paxlog.api.message.SlotState;
import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import io.paxlog.api.storage.StoredEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Makes random batches that keep the core's contract, as the core would write them: ids from 1,
 * promise never decreasing, entries at the promise, finalize marks only for slots holding an entry
 * written earlier (or in the same batch), a finalized slot re-stored only with its own command.
 */
final class BatchMaker {

    private final Random random;
    private final int slotRange;
    private final int payloadBytesMax;
    /** What this run has written so far (durable or not), so marks follow entries in log order. */
    private final ReplayModel written;
    private long nextId = 1;

    BatchMaker(Random random, RecoveredState start, int slotRange, int payloadBytesMax) {
        this.random = random;
        this.written = ReplayModel.of(start);
        this.slotRange = slotRange;
        this.payloadBytesMax = payloadBytesMax;
    }

    PersistBatch next() {
        Epoch promised = null;
        Epoch current = written.promised();
        if (current.equals(Epoch.ZERO) || random.nextInt(4) == 0) {
            promised = new Epoch(current.round() + 1 + random.nextInt(2), 1 + random.nextInt(5));
            current = promised;
        }
        ReplayModel after = written.copy();
        List<StoredEntry> entries = new ArrayList<>();
        int entryCount = random.nextInt(4);
        for (int i = 0; i < entryCount; i++) {
            long slot = 1 + random.nextInt(slotRange);
            SlotState held = after.slots().get(slot);
            Command command = held != null && held.finalized() ? held.command() : command();
            StoredEntry entry = new StoredEntry(slot, current, command);
            entries.add(entry);
            after.apply(new WalRecord.Entry(entry));
        }
        List<Long> finalized = new ArrayList<>();
        int finalizeCount = after.slots().isEmpty() ? 0 : random.nextInt(3);
        List<Long> held = new ArrayList<>(after.slots().keySet());
        for (int i = 0; i < finalizeCount; i++) {
            finalized.add(held.get(random.nextInt(held.size())));
        }
        PersistBatch batch = new PersistBatch(nextId++, promised, entries, finalized);
        written.apply(batch);
        return batch;
    }

    private Command command() {
        if (random.nextInt(8) == 0) {
            return Command.NOOP;
        }
        byte[] payload = new byte[random.nextInt(payloadBytesMax + 1)];
        random.nextBytes(payload);
        return new Command(1 + random.nextInt(3), 1 + random.nextInt(1000), payload);
    }
}
