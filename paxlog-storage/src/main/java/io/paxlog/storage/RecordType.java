package io.paxlog.storage;

/** The kinds of log record and their one-byte codes on disk. Codes are part of the format: never reuse one. */
enum RecordType {
    /** The server's new {@code promised} epoch. */
    PROMISE(1),
    /** A command stored for a slot at an epoch. */
    ENTRY(2),
    /** The slot's entry is chosen; it never changes again. */
    FINALIZE(3),
    /**
     * Reserved for snapshots (slot = last slot the snapshot covers). Nothing writes it: a snapshot is a
     * file of its own that names its slot ({@link SnapshotFiles}). Recovery refuses a log that holds one,
     * since it would come from a build with other snapshot rules.
     */
    SNAPSHOT_MARKER(4);

    final byte code;

    RecordType(int code) {
        this.code = (byte) code;
    }

    /** The type with {@code code}, or null when no type has it. */
    /** values() copies the array on every call; decoding asks once per record. */
    private static final RecordType[] ALL = values();

    static RecordType of(byte code) {
        for (RecordType type : ALL) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
