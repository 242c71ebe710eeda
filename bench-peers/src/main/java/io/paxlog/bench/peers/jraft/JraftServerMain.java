package io.paxlog.bench.peers.jraft;

import com.alipay.sofa.jraft.rhea.client.DefaultRheaKVStore;
import com.alipay.sofa.jraft.rhea.options.PlacementDriverOptions;
import com.alipay.sofa.jraft.rhea.options.RheaKVStoreOptions;
import com.alipay.sofa.jraft.rhea.options.StoreEngineOptions;
import com.alipay.sofa.jraft.rhea.options.configured.MemoryDBOptionsConfigured;
import com.alipay.sofa.jraft.rhea.options.configured.MultiRegionRouteTableOptionsConfigured;
import com.alipay.sofa.jraft.rhea.options.configured.PlacementDriverOptionsConfigured;
import com.alipay.sofa.jraft.rhea.options.configured.RheaKVStoreOptionsConfigured;
import com.alipay.sofa.jraft.rhea.options.configured.StoreEngineOptionsConfigured;
import com.alipay.sofa.jraft.rhea.storage.StorageType;
import com.alipay.sofa.jraft.util.Endpoint;
import java.util.concurrent.CountDownLatch;

/**
 * One RheaKV server, as the issue measured it: a memory store (the state machine keeps the keys in the
 * heap, as paxlog's kv does), the raft log in RocksDB with {@code sync} on (jraft's default: every log
 * batch is fsynced before it counts), one region, a fake placement driver (a static cluster, no PD
 * servers). Everything else at RheaKV's defaults.
 * {@code java -cp bench-peers.jar io.paxlog.bench.peers.jraft.JraftServerMain <host:port> <all host:port,...> <data dir>}.
 * Runs until killed.
 */
public final class JraftServerMain {

    static final String CLUSTER = "paxlog-bench";

    private JraftServerMain() {}

    /**
     * A fake placement driver (no PD servers) whose route table knows the one region, the default region
     * (id -1), on every server: without it a client has no route for any key.
     */
    static PlacementDriverOptions placementDriver(String servers) {
        return PlacementDriverOptionsConfigured.newConfigured().withFake(true)
                .withRegionRouteTableOptionsList(MultiRegionRouteTableOptionsConfigured.newConfigured()
                        .withInitialServerList(-1L, servers).config())
                .config();
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: JraftServerMain <host:port> <host:port,...> <data dir>");
            System.exit(2);
        }
        String[] self = args[0].split(":");
        StoreEngineOptions store = StoreEngineOptionsConfigured.newConfigured()
                .withStorageType(StorageType.Memory)
                .withMemoryDBOptions(MemoryDBOptionsConfigured.newConfigured().config())
                .withRaftDataPath(args[2])
                .withServerAddress(new Endpoint(self[0], Integer.parseInt(self[1])))
                .config();
        PlacementDriverOptions pd = placementDriver(args[1]);
        RheaKVStoreOptions options = RheaKVStoreOptionsConfigured.newConfigured()
                .withClusterName(CLUSTER)
                .withInitialServerList(args[1])
                .withStoreEngineOptions(store)
                .withPlacementDriverOptions(pd)
                .config();
        DefaultRheaKVStore kv = new DefaultRheaKVStore();
        if (!kv.init(options)) {
            System.err.println("RheaKV did not start");
            System.exit(1);
        }
        System.out.println("rheakv server " + args[0] + " started; sync=" + store.getCommonNodeOptions().getRaftOptions().isSync());
        new CountDownLatch(1).await(); // serves until the harness kills the process
    }
}
