package io.paxlog.storage;

import io.paxlog.api.storage.RecoveredState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Rebuilds a server's durable state from its segments (the "recovery" of issue 3), and with {@code
 * repair} cuts what a crash left unfinished so the writer can continue where the valid log ends.
 *
 * <p>Snapshots first ({@link SnapshotFiles#load}): recovery starts from the newest snapshot file that
 * verifies, at slot S (0 if none), and the log's records for slots at or below S are <b>ignored</b>
 * (entries and finalize marks alike; the promise always counts): S is finalized and its state is in
 * the snapshot, and a segment that was kept because it also holds slots above S may still hold them,
 * with finalize marks whose entries went with a deleted segment.
 *
 * <p>Segments must be numbered without a gap. The first must be segment 1, unless a snapshot was found:
 * compaction deletes a prefix of segments only after a snapshot covering them is durable.
 *
 * <p>A damaged snapshot file (its checksum fails, or it is cut short) newer than the one recovery starts
 * from is passed over, and listed in {@link Result#snapshots()}, only when that cannot lose anything:
 * <ul>
 *   <li>an older snapshot file verifies: compaction deletes every older snapshot file (and syncs the
 *       directory) before it deletes a segment, so while one exists no segment was deleted on the
 *       strength of the damaged newer one; the log above the older snapshot is complete;
 *   <li>no snapshot verifies and the log starts at segment 1 (or there is none): nothing was deleted.
 * </ul>
 * Otherwise (no snapshot verifies and segments are gone) recovery refuses to start.
 *
 * <p>Each segment is scanned by {@link SegmentScanner};
 * only the last may end torn. With {@code repair}, a torn tail is truncated and an unfinished last
 * segment deleted, and the last segment and the directory are forced: records a crashed process left
 * in the page cache are visible to recovery, so they must be durable before the core answers anyone
 * from them (Rule D).
 *
 * <p>Thread: runs on the thread that calls it, before the log's committer starts.
 */
final class LogRecovery {

    /**
     * Where the writer resumes: appending to {@code activeSegment} at {@code appendOffset}, or, when
     * that is null, creating segment {@code lastIndex + 1}.
     */
    record Tail(long lastIndex, String activeSegment, long appendOffset, long fileSize) {}

    /**
     * {@code identity} is the expected one, or the one found when none was expected (null if none found).
     * {@code segmentMaxSlots}: for each segment kept, the highest slot any of its records concerns (0 if
     * none), in index order, for compaction.
     */
    record Result(RecoveredState state, RecoveryReport report, Tail tail, SegmentIdentity identity,
            SnapshotFiles.Loaded snapshots, SortedMap<Long, Long> segmentMaxSlots) {}

    /** Sees the log as it is read, for {@link WalTool dump}. */
    interface Listener {
        Listener NONE = new Listener() {};

        default void header(String file, SegmentHeader header) {}

        default void record(String file, long offset, int length, WalRecord record) {}

        default void ended(String file, SegmentScanner.Outcome outcome) {}
    }

    private LogRecovery() {}

    /**
     * @param expected the identity every segment must carry, or null to take the first segment's
     * @throws WalCorruptedException when the log cannot be trusted
     * @throws IOException           when the files cannot be read (or, with repair, changed)
     */
    static Result run(FileLayer files, SegmentIdentity expected, boolean repair, Listener listener)
            throws IOException {
        List<String> segments = new ArrayList<>();
        for (String name : files.list()) {
            if (SegmentNames.index(name) > 0) {
                segments.add(name);
            }
        }
        SnapshotFiles.Loaded snapshots = SnapshotFiles.load(files, expected, repair);
        requireContiguous(files, segments, snapshots);

        DurableStateBuilder builder = new DurableStateBuilder(snapshots.slot());
        SortedMap<Long, Long> segmentMaxSlots = new TreeMap<>();
        SegmentIdentity identity = expected;
        Tail tail = new Tail(0, null, 0, 0);
        long records = 0;
        String tornFile = null;
        long tornOffset = 0;
        long tornBytes = 0;
        String tornProblem = null;
        String removed = null;
        for (int i = 0; i < segments.size(); i++) {
            String name = segments.get(i);
            String where = files.describe(name);
            long index = SegmentNames.index(name);
            boolean last = i == segments.size() - 1;
            SegmentScanner.Outcome outcome;
            try (LogFile file = files.open(name, repair && last ? OpenMode.READ_WRITE : OpenMode.READ)) {
                outcome = SegmentScanner.scan(file, where, index, last, identity, new SegmentScanner.Sink() {
                    @Override
                    public void header(SegmentHeader header) {
                        listener.header(where, header);
                    }

                    @Override
                    public void record(WalRecord record, long offset, int length) {
                        listener.record(where, offset, length, record);
                        builder.apply(record, where, offset);
                    }
                });
                listener.ended(where, outcome);
                records += outcome.records();
                if (outcome.ending() != SegmentScanner.Ending.TORN_CREATION) {
                    segmentMaxSlots.put(index, outcome.maxSlot());
                }
                if (identity == null && outcome.header() != null) {
                    identity = outcome.header().identity();
                }
                switch (outcome.ending()) {
                    case CLEAN -> tail = new Tail(index, name, outcome.endOffset(), outcome.fileSize());
                    case TORN_TAIL -> {
                        tornFile = where;
                        tornOffset = outcome.endOffset();
                        tornBytes = outcome.fileSize() - outcome.endOffset();
                        tornProblem = outcome.problem();
                        long size = outcome.fileSize();
                        if (repair) {
                            file.truncate(outcome.endOffset());
                            size = outcome.endOffset();
                        }
                        tail = new Tail(index, name, outcome.endOffset(), size);
                    }
                    case TORN_CREATION -> {
                        removed = where;
                        tail = new Tail(index - 1, null, 0, 0);
                    }
                }
                if (repair && last && outcome.ending() != SegmentScanner.Ending.TORN_CREATION) {
                    file.force(true);
                }
            }
        }
        if (repair && removed != null) {
            files.delete(SegmentNames.name(tail.lastIndex() + 1));
        }
        if (repair && !segments.isEmpty()) {
            files.syncDirectory();
        }
        boolean repaired = repair && (tornFile != null || removed != null);
        RecoveryReport report = new RecoveryReport(segments.size(), records, tornFile, tornOffset, tornBytes,
                tornProblem, removed, repaired);
        return new Result(builder.build(), report, tail, identity, snapshots, segmentMaxSlots);
    }

    private static void requireContiguous(FileLayer files, List<String> segments, SnapshotFiles.Loaded snapshots) {
        long first = segments.isEmpty() ? 1 : SegmentNames.index(segments.get(0));
        if (snapshots.snapshot() == null && first != 1) {
            String missing = first == 2 ? "segment 1 is missing" : "segments 1 to " + (first - 1) + " are missing";
            if (!snapshots.damaged().isEmpty()) {
                // Compaction deleted them on the strength of the newest snapshot, which is now damaged.
                SnapshotFiles.Damage newest = snapshots.damaged().get(0);
                throw new WalCorruptedException(newest.file(), newest.offset(), "the newest snapshot does not"
                        + " verify (" + newest.problem() + "), and the log segments it covers were already deleted ("
                        + missing + "), with no older valid snapshot to start from",
                        WalCorruptedException.Advice.DAMAGE);
            }
            throw new WalCorruptedException(files.describe(segments.get(0)), 0, missing
                    + " before this one and no snapshot covers them", WalCorruptedException.Advice.DAMAGE);
        }
        long expected = first;
        for (String name : segments) {
            long index = SegmentNames.index(name);
            if (index != expected) {
                String missing = index == expected + 1
                        ? "segment " + expected + " is missing"
                        : "segments " + expected + " to " + (index - 1) + " are missing";
                throw new WalCorruptedException(files.describe(name), 0, missing + " before this one",
                        WalCorruptedException.Advice.DAMAGE);
            }
            expected++;
        }
    }
}
