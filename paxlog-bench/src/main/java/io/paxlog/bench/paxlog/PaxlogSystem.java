package io.paxlog.bench.paxlog;

import io.paxlog.bench.BenchCluster;
import io.paxlog.bench.BenchSystem;
import io.paxlog.bench.Ports;
import io.paxlog.bench.ServerProcesses;
import io.paxlog.bench.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * paxlog as {@code paxlog server} runs it in production: the kv service, every setting at its default
 * (fsync on every group commit, 1-2 s election timeouts, snapshots every 100,000 slots), each server
 * {@code java -ea <options> -cp <this class path> io.paxlog.server.ServerMain --config cluster.yaml --id N},
 * {@code -ea} because the {@code paxlog} script runs every server with it.
 */
public final class PaxlogSystem implements BenchSystem {

    static final String CLUSTER_ID = "bench";

    @Override
    public boolean supports(Workload workload) {
        return true;
    }

    @Override
    public BenchCluster start(Path dir, int servers, List<String> jvmOptions) throws Exception {
        List<Integer> free = Ports.free(servers * 3);
        Map<Integer, PaxlogCluster.Addresses> addresses = new LinkedHashMap<>();
        StringBuilder yaml = new StringBuilder("cluster:\n  id: " + CLUSTER_ID + "\n  service: kv\n  servers:\n");
        for (int id = 1; id <= servers; id++) {
            PaxlogCluster.Addresses a = new PaxlogCluster.Addresses(free.get(3 * id - 3), free.get(3 * id - 2),
                    free.get(3 * id - 1));
            addresses.put(id, a);
            yaml.append("    - {id: ").append(id).append(", peer: \"127.0.0.1:").append(a.peer())
                    .append("\", client: \"127.0.0.1:").append(a.client()).append("\", http: \"127.0.0.1:")
                    .append(a.http()).append("\"}\n");
        }
        yaml.append("server:\n  dataDir: server-{id}\n");
        ServerProcesses processes = new ServerProcesses(dir);
        Path config = Files.writeString(dir.resolve("cluster.yaml"), yaml);
        List<String> options = new ArrayList<>();
        options.add("-ea");
        options.addAll(jvmOptions);
        PaxlogCluster cluster = new PaxlogCluster(processes, addresses);
        try {
            for (int id : addresses.keySet()) {
                processes.start(id, options, System.getProperty("java.class.path"), "io.paxlog.server.ServerMain",
                        List.of("--config", config.toString(), "--id", Integer.toString(id)));
            }
            cluster.awaitLeader();
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }
}
