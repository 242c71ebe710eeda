package io.paxlog.server.config;

/**
 * Where one server of the cluster listens.
 *
 * @param id     the server's id, positive and unique in the cluster
 * @param peer   for the other servers (the replication protocol)
 * @param client for clients' commands
 * @param http   for the HTTP API and status pages
 */
public record ServerAddresses(int id, HostPort peer, HostPort client, HostPort http) {

    public ServerAddresses {
        if (id < 1) {
            throw new IllegalArgumentException("server ids are positive, was " + id);
        }
        if (peer == null || client == null || http == null) {
            throw new IllegalArgumentException("server " + id + " needs peer, client and http addresses");
        }
    }
}
