package io.paxlog.storage;

/**
 * What recovery found and what it repaired. Repairs only ever remove bytes that were never
 * acknowledged: an unfinished last write, or a last segment whose creation did not finish.
 *
 * @param segments        segments read (a removed one included)
 * @param records         valid records read
 * @param tornFile        the file whose unfinished tail was (or, read-only, would be) cut; null if none
 * @param tornOffset      where that tail starts
 * @param tornBytes       bytes from there to the end of the file (zeros of a preallocated file included)
 * @param tornProblem     what was wrong at {@code tornOffset}
 * @param removedSegment  the last segment whose creation did not finish, removed; null if none
 * @param repaired        true when the files were changed, false in read-only mode or when nothing was torn
 */
public record RecoveryReport(int segments, long records, String tornFile, long tornOffset, long tornBytes,
        String tornProblem, String removedSegment, boolean repaired) {

    /** One line for an operator. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(segments).append(" segment(s), ").append(records).append(" record(s)");
        String verb = repaired ? "" : "would be ";
        if (tornFile != null) {
            s.append("; unfinished last write ").append(verb).append("cut: ").append(tornFile).append(" at offset ")
                    .append(tornOffset).append(" (").append(tornProblem).append(", ").append(tornBytes)
                    .append(" bytes to the end of the file)");
        }
        if (removedSegment != null) {
            s.append("; unfinished segment ").append(verb).append("removed: ").append(removedSegment);
        }
        return s.toString();
    }
}
