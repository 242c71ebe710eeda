package io.paxlog.storage;

import io.paxlog.storage.memory.MemoryDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A {@link MemoryDisk} whose file forces can be held at a gate, so a test can keep the I/O thread
 * inside an fsync while it queues more batches: deterministic group commit without timing.
 */
final class GatedLayer implements FileLayer {

    private final MemoryDisk disk;
    private volatile boolean holding;
    private final Semaphore entered = new Semaphore(0);
    private final Semaphore permits = new Semaphore(0);

    GatedLayer(MemoryDisk disk) {
        this.disk = disk;
    }

    /** From now on every file force waits at the gate. */
    void hold() {
        holding = true;
    }

    /** Lets every waiting force through, and later ones pass freely. */
    void stopHolding() {
        holding = false;
        permits.release(1 << 20);
    }

    /** Waits (bounded) until a force is waiting at the gate. */
    boolean awaitForceWaiting() throws InterruptedException {
        return entered.tryAcquire(30, TimeUnit.SECONDS);
    }

    @Override
    public List<String> list() throws IOException {
        return disk.list();
    }

    @Override
    public LogFile open(String name, OpenMode mode) throws IOException {
        LogFile file = disk.open(name, mode);
        return new LogFile() {
            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return file.read(dst, position);
            }

            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                return file.write(src, position);
            }

            @Override
            public void force(boolean metadata) throws IOException {
                if (holding) {
                    entered.release();
                    try {
                        if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
                            throw new IOException("test gate never opened");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted at the test gate", e);
                    }
                }
                file.force(metadata);
            }

            @Override
            public void truncate(long size) throws IOException {
                file.truncate(size);
            }

            @Override
            public long size() throws IOException {
                return file.size();
            }

            @Override
            public void close() throws IOException {
                file.close();
            }
        };
    }

    @Override
    public void delete(String name) throws IOException {
        disk.delete(name);
    }

    @Override
    public void rename(String source, String target) throws IOException {
        disk.rename(source, target);
    }

    @Override
    public void syncDirectory() throws IOException {
        disk.syncDirectory();
    }

    @Override
    public String describe(String name) {
        return disk.describe(name);
    }
}
