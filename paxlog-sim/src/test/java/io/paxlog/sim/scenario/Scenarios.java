package io.paxlog.sim.scenario;

import io.paxlog.core.ReplicaConfig;
import io.paxlog.core.ReplicaFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Creates the clusters of a scenario test and, when the test fails, prints each one's trace and
 * final state, so a failure reads as the story of what happened. Register it on an instance field:
 * {@code @RegisterExtension final Scenarios scenarios = new Scenarios();}
 *
 * <p>To read the trace of passing scenarios too, run with {@code -Dpaxlog.scenario.trace=true}.
 */
final class Scenarios implements TestWatcher {

    private final List<ScenarioCluster> clusters = new ArrayList<>();

    ScenarioCluster cluster(int servers) {
        return cluster(servers, UnaryOperator.identity());
    }

    ScenarioCluster cluster(int servers, UnaryOperator<ReplicaConfig> tune) {
        return cluster(servers, tune, ReplicaFactory.DEFAULT);
    }

    /** A cluster whose every server is built by {@code factory}, a deliberately broken rule, say. */
    ScenarioCluster cluster(int servers, ReplicaFactory factory) {
        return cluster(servers, UnaryOperator.identity(), factory);
    }

    ScenarioCluster cluster(int servers, UnaryOperator<ReplicaConfig> tune, ReplicaFactory factory) {
        ScenarioCluster cluster = new ScenarioCluster(servers, tune, factory);
        clusters.add(cluster);
        return cluster;
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        if (Boolean.getBoolean("paxlog.scenario.trace")) {
            print(context);
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        print(context);
    }

    private void print(ExtensionContext context) {
        for (ScenarioCluster cluster : clusters) {
            System.out.println("==== " + context.getDisplayName() + " ====");
            System.out.println(cluster.report());
        }
    }
}
