package io.paxlog.sim;

import io.paxlog.core.ReplicaFactory;

/**
 * How to run one seed.
 *
 * @param servers      3 or 5; 0 lets the seed choose
 * @param safetyMs     simulated time with faults on and clients working
 * @param factory      builds each server's core; tests pass one with a deliberately broken rule
 * @param traceLines   how many of the last events a failure report shows
 */
public record SimOptions(int servers, long safetyMs, ReplicaFactory factory, int traceLines) {

    public static SimOptions defaults() {
        return new SimOptions(0, 60_000, ReplicaFactory.DEFAULT, 60);
    }

    public SimOptions withServers(int servers) {
        return new SimOptions(servers, safetyMs, factory, traceLines);
    }

    public SimOptions withSafetyMs(long safetyMs) {
        return new SimOptions(servers, safetyMs, factory, traceLines);
    }

    public SimOptions withFactory(ReplicaFactory factory) {
        return new SimOptions(servers, safetyMs, factory, traceLines);
    }

    public SimOptions {
        if (servers != 0 && servers != 3 && servers != 5) {
            throw new IllegalArgumentException("--servers must be 3 or 5, was " + servers);
        }
        if (safetyMs < 1_000) {
            throw new IllegalArgumentException("safety phase must last at least 1000 ms, was " + safetyMs);
        }
    }
}
