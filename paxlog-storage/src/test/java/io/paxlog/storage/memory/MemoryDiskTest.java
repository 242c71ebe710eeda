package io.paxlog.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paxlog.storage.LogFile;
import io.paxlog.storage.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import org.junit.jupiter.api.Test;

/** The fault model the log's tests and the simulator rely on. */
class MemoryDiskTest {

    private static void write(LogFile file, long position, int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        ByteBuffer buffer = ByteBuffer.wrap(b);
        while (buffer.hasRemaining()) {
            file.write(buffer, position + buffer.position());
        }
    }

    private static MemoryDisk diskWithSyncedFile(String name, int... bytes) throws IOException {
        MemoryDisk disk = new MemoryDisk();
        try (LogFile file = disk.open(name, OpenMode.CREATE_NEW)) {
            write(file, 0, bytes);
            file.force(true);
        }
        disk.syncDirectory();
        return disk;
    }

    @Test
    void a_power_loss_keeps_only_forced_content_and_synced_names() throws IOException {
        MemoryDisk disk = diskWithSyncedFile("a", 1, 2, 3);
        try (LogFile file = disk.open("a", OpenMode.READ_WRITE)) {
            write(file, 1, 9, 9, 9, 9);
        }
        disk.open("b", OpenMode.CREATE_NEW).close();
        disk.delete("a");

        MemoryDisk after = disk.crash(CrashMode.dropUnsynced());

        assertThat(after.list()).containsExactly("a");
        assertThat(after.contents("a")).containsExactly(1, 2, 3);
        assertThatThrownBy(disk::list).isInstanceOf(DiskCrashedException.class);
    }

    @Test
    void force_without_metadata_does_not_make_growth_durable() throws IOException {
        MemoryDisk disk = diskWithSyncedFile("a", 1, 2);
        try (LogFile file = disk.open("a", OpenMode.READ_WRITE)) {
            write(file, 0, 7, 7, 7, 7);
            file.force(false);
        }
        assertThat(disk.crash(CrashMode.dropUnsynced()).contents("a")).containsExactly(7, 7);
    }

    @Test
    void a_tear_keeps_a_prefix_of_the_last_unforced_write_and_the_old_bytes_or_garbage_after_it()
            throws IOException {
        MemoryDisk disk = diskWithSyncedFile("a", 1, 2, 3);
        try (LogFile file = disk.open("a", OpenMode.READ_WRITE)) {
            write(file, 1, 5, 6, 7, 8);
        }
        assertThat(disk.unsyncedLastWriteLength()).isEqualTo(4);

        assertThat(disk.crash(CrashMode.tearLastWrite(0)).contents("a")).containsExactly(1, 2, 3);
        assertThat(disk.crash(CrashMode.tearLastWrite(1)).contents("a")).containsExactly(1, 5, 3);
        assertThat(disk.crash(CrashMode.tearLastWrite(3)).contents("a")).containsExactly(1, 5, 6, 7);
        assertThat(disk.crash(CrashMode.tearLastWrite(9)).contents("a")).containsExactly(1, 5, 6, 7, 8);
        byte[] garbage = disk.crash(CrashMode.tearLastWriteWithGarbage(2, 42)).contents("a");
        assertThat(garbage).hasSize(5).startsWith(1, 5, 6);
        assertThat(disk.crash(CrashMode.tearLastWriteWithGarbage(2, 42)).contents("a")).isEqualTo(garbage);
    }

    @Test
    void a_process_crash_keeps_unsynced_data_readable_but_still_unsynced() throws IOException {
        MemoryDisk disk = diskWithSyncedFile("a", 1);
        try (LogFile file = disk.open("a", OpenMode.READ_WRITE)) {
            write(file, 1, 2);
        }
        MemoryDisk restarted = disk.crash(CrashMode.processOnly());

        assertThat(restarted.contents("a")).containsExactly(1, 2);
        assertThat(restarted.crash(CrashMode.dropUnsynced()).contents("a")).containsExactly(1);
    }

    @Test
    void a_scheduled_crash_stops_before_the_numbered_operation() throws IOException {
        MemoryDisk disk = new MemoryDisk();
        disk.crashAtOperation(2);
        LogFile file = disk.open("a", OpenMode.CREATE_NEW); // operation 0
        write(file, 0, 1); // operation 1
        assertThatThrownBy(() -> file.force(true)).isInstanceOf(DiskCrashedException.class);
        assertThat(disk.operationCount()).isEqualTo(2);
        assertThatThrownBy(() -> file.size()).isInstanceOf(DiskCrashedException.class);
    }

    @Test
    void a_full_disk_writes_what_fits_then_fails() throws IOException {
        MemoryDisk disk = new MemoryDisk();
        disk.capacityBytes(3);
        try (LogFile file = disk.open("a", OpenMode.CREATE_NEW)) {
            assertThat(file.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}), 0)).isEqualTo(3);
            assertThatThrownBy(() -> file.write(ByteBuffer.wrap(new byte[] {4, 5}), 3))
                    .isInstanceOf(IOException.class).hasMessage("No space left on device");
            write(file, 0, 9); // overwriting needs no space
        }
        assertThat(disk.contents("a")).containsExactly(9, 2, 3);
    }

    @Test
    void failing_operations_fail_after_the_given_successes_and_keep_failing() throws IOException {
        MemoryDisk disk = new MemoryDisk();
        disk.failOperations(MemoryDisk.Operation.FORCE, 1, "Input/output error");
        try (LogFile file = disk.open("a", OpenMode.CREATE_NEW)) {
            file.force(true);
            assertThatThrownBy(() -> file.force(true)).hasMessage("Input/output error");
            assertThatThrownBy(() -> file.force(false)).hasMessage("Input/output error");
        }
    }

    @Test
    void creation_is_exclusive_and_read_only_files_refuse_writes() throws IOException {
        MemoryDisk disk = diskWithSyncedFile("a", 1);
        assertThatThrownBy(() -> disk.open("a", OpenMode.CREATE_NEW)).isInstanceOf(FileAlreadyExistsException.class);
        try (LogFile file = disk.open("a", OpenMode.READ)) {
            assertThatThrownBy(() -> write(file, 0, 2)).hasMessageContaining("read-only");
        }
    }

    @Test
    void a_rename_is_durable_only_after_a_directory_sync() throws IOException {
        MemoryDisk disk = diskWithSyncedFile("tmp", 4);
        disk.rename("tmp", "final");
        assertThat(disk.copy().list()).containsExactly("final");
        assertThat(disk.crash(CrashMode.dropUnsynced()).list()).containsExactly("tmp");
    }
}
