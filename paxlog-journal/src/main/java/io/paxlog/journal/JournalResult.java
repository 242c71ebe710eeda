package io.paxlog.journal;

import java.util.Objects;

/**
 * What the journal answered: an append's index and slot, a page of entries, or a refusal (which was
 * applied at a slot, yet changed nothing). {@link JournalCodec} reads these from a result.
 */
public sealed interface JournalResult permits JournalMachine.Appended, JournalMachine.Page, JournalResult.Refused {

    /** Why the journal refused a command. */
    enum Reason {
        /** The journal holds {@code bytesMax} bytes already. */
        FULL,
        /** The payload is not an append or a read the journal understands. */
        MALFORMED
    }

    /** A refusal, with the journal's reason for people. */
    record Refused(Reason reason, String message) implements JournalResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }
}
