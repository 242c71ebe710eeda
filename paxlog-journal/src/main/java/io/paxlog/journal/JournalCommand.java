package io.paxlog.journal;

import io.paxlog.api.codec.Binary;
import java.util.Arrays;
import java.util.Objects;

/**
 * A command to the journal, as {@link JournalCodec} reads it from a payload: the typed view of the bytes
 * {@link JournalMachine#appendCommand} and {@link JournalMachine#readCommand} build.
 */
public sealed interface JournalCommand {

    /** Appends {@code data} as the next entry; answered {@link JournalMachine.Appended} or refused. */
    record Append(byte[] data) implements JournalCommand {
        public Append {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Append a && Arrays.equals(a.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Append[" + Binary.preview(data) + "]";
        }
    }

    /**
     * Up to {@code entriesMax} entries from index {@code fromIndex}: answered {@link JournalMachine.Page}
     * (through the log, or as a read-index query). Values below 1 are refused by the journal, not by the
     * codec: they are well-formed, only meaningless.
     */
    record Read(long fromIndex, int entriesMax) implements JournalCommand {}
}
