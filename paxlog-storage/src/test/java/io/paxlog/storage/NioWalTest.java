package io.paxlog.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.paxlog.api.storage.PersistBatch;
import io.paxlog.api.storage.RecoveredState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log on real files with the I/O thread, and the tool that inspects a data directory. */
class NioWalTest {

    @TempDir
    Path directory;

    private static final WalConfig CONFIG = Logs.config(8192, true);

    private RecoveredState writeLog(int batchCount) throws Exception {
        List<Long> durable = Collections.synchronizedList(new ArrayList<>());
        ReplayModel model = new ReplayModel();
        try (WalStorage wal = WalStorage.open(CONFIG, new NioFileLayer(directory), CommitMode.IO_THREAD,
                Logs.NO_FATAL)) {
            BatchMaker maker = new BatchMaker(new Random(5), wal.recover(), 40, 100);
            CountDownLatch done = new CountDownLatch(batchCount);
            for (int i = 0; i < batchCount; i++) {
                PersistBatch batch = maker.next();
                model.apply(batch);
                wal.write(batch, id -> {
                    durable.add(id);
                    done.countDown();
                });
            }
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(durable).hasSize(batchCount);
        return model.state();
    }

    @Test
    void a_log_on_real_files_recovers_what_was_written_and_preallocates_its_segments() throws Exception {
        RecoveredState expected = writeLog(500);

        try (WalStorage wal = WalStorage.open(directory, CONFIG)) {
            assertThat(wal.recover()).isEqualTo(expected);
            assertThat(wal.recoveryReport().tornFile()).isNull();
        }
        List<Path> segments;
        try (var files = Files.list(directory)) {
            segments = files.sorted().toList();
        }
        assertThat(segments).hasSizeGreaterThan(3);
        for (Path segment : segments) {
            assertThat(Files.size(segment)).isEqualTo(CONFIG.segmentBytes());
        }
    }

    @Test
    void a_torn_tail_on_a_real_file_is_cut_and_the_tool_reports_it_before_and_not_after() throws Exception {
        RecoveredState expected = writeLog(50);
        Path last;
        try (var files = Files.list(directory)) {
            last = files.sorted().reduce((a, b) -> b).orElseThrow();
        }
        long end = cleanEnd(last);
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 77, 1, 2, 3, 4, 2}), end); // a frame cut short
        }

        byte[] torn = Files.readAllBytes(last);

        Tool verify = tool("verify", directory.toString());
        assertThat(verify.status).isEqualTo(WalTool.OK);
        assertThat(verify.out).contains("unfinished last write would be cut: " + last + " at offset " + end);
        assertThat(Files.readAllBytes(last)).isEqualTo(torn); // verify changes nothing

        try (WalStorage wal = WalStorage.open(directory, CONFIG)) {
            assertThat(wal.recover()).isEqualTo(expected);
            assertThat(wal.recoveryReport().tornOffset()).isEqualTo(end);
        }
        assertThat(Files.size(last)).isEqualTo(end);
        assertThat(tool("verify", directory.toString()).out).doesNotContain("would be cut");
    }

    @Test
    void the_tool_dumps_every_record_on_a_line_and_verify_refuses_a_damaged_log() throws Exception {
        writeLog(20);
        Tool dump = tool("dump", directory.toString());
        assertThat(dump.status).isEqualTo(WalTool.OK);
        List<String> recordLines = dump.out.lines().filter(l -> l.startsWith("segment-")).toList();
        assertThat(recordLines).isNotEmpty().allMatch(l -> l.matches("segment-\\d{20}\\.wal@\\d+ \\d+B (PROMISE|ENTRY|FINALIZE) .*"));
        assertThat(dump.out).contains("format 1, segment 1, cluster test-cluster server 1");
        assertThat(dump.out).contains("recoverable: ");

        Path first = directory.resolve(SegmentNames.name(1));
        byte[] bytes = Files.readAllBytes(first);
        bytes[SegmentHeader.BYTES + 12] ^= 1; // inside the first record of a segment that is not the last
        Files.write(first, bytes);
        Tool verify = tool("verify", directory.toString());
        assertThat(verify.status).isEqualTo(WalTool.CORRUPTED);
        assertThat(verify.err).contains("NOT RECOVERABLE").contains(first.toString()).contains("at offset 128");

        Tool foreign = tool("verify", directory.toString(), "--cluster", "test-cluster", "--server", "2");
        assertThat(foreign.status).isEqualTo(WalTool.CORRUPTED);
        assertThat(foreign.err).contains("but this is cluster test-cluster server 2");
    }

    @Test
    void the_tool_explains_its_usage() {
        assertThat(tool().status).isEqualTo(WalTool.USAGE);
        assertThat(tool("check", "x").err).contains("usage: WalTool dump|verify DIR");
        assertThat(tool("verify", directory.resolve("missing").toString()).err).contains("no such directory");
        assertThat(tool("verify", directory.toString(), "--server", "x").err).contains("--server needs a number");
        assertThat(tool("verify", directory.toString(), "--server", "1").err).contains("give both");
        // A directory with no log is not "recoverable": a server started on it would start from nothing.
        Tool empty = tool("verify", directory.toString());
        assertThat(empty.status).isEqualTo(WalTool.NO_LOG);
        assertThat(empty.err).contains("no write-ahead log");
    }

    private record Tool(int status, String out, String err) {}

    private static Tool tool(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = WalTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Tool(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Offset of the first zero length field after the records (the file is preallocated). */
    private static long cleanEnd(Path segment) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
        int at = SegmentHeader.BYTES;
        while (at + 4 <= bytes.limit() && bytes.getInt(at) != 0) {
            at += bytes.getInt(at);
        }
        return at;
    }
}
