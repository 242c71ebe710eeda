package io.paxlog.storage;

/** How {@link FileLayer#open} opens a file. */
public enum OpenMode {
    /** Read only; the file must exist. Used by recovery in read-only mode and by {@link WalTool}. */
    READ,
    /** Read and write; the file must exist. */
    READ_WRITE,
    /** Read and write; the file must not exist yet (creation is exclusive). */
    CREATE_NEW
}
