package io.paxlog.storage;

/** What reading a segment header gives: the header, or why there is none. */
sealed interface HeaderRead permits SegmentHeader, HeaderRead.Problem {

    /**
     * Why a header could not be read.
     *
     * @param tornCreationPossible whether a crash while the segment was being created explains it (then
     *                             it is harmless if the segment is the last one and holds no record)
     */
    record Problem(String description, boolean tornCreationPossible) implements HeaderRead {}
}
