package io.paxlog.chaos.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One network namespace per server, each joined to a bridge on this host by a veth pair, so that links
 * between servers can be cut while clients on the host still reach every server: a partition. A cut is
 * a blackhole route on both sides (packets to the other side are dropped by the sender's own stack;
 * {@code tc netem} is unavailable here and iptables is not installed). Needs root.
 *
 * <p>Everything it makes is named {@code pxc-*} ({@link ServerCluster#PREFIX}): the bridge
 * {@code pxc-br0} (host address {@link #HOST}), namespaces {@code pxc-s<id>} with address
 * {@code 10.213.0.<id>}, and veth pairs {@code pxc-h<id>}/{@code pxc-n<id>}. {@link #close} removes them,
 * and so does a shutdown hook; {@link #removeStale} removes any left by a run that was killed. One such run
 * at a time per machine: the names are fixed.
 */
final class Namespaces implements AutoCloseable {

    static final String HOST = "10.213.0.254";
    private static final String BRIDGE = "pxc-br0";

    private final List<Integer> ids;
    private final Thread hook = new Thread(Namespaces::removeQuietly, "pxc-netns-cleanup");

    private Namespaces(List<Integer> ids) {
        this.ids = List.copyOf(ids);
    }

    /** Makes the bridge and a namespace per server, after removing whatever a killed run left. */
    static Namespaces create(List<Integer> ids) throws IOException, InterruptedException {
        removeStale();
        Namespaces made = new Namespaces(ids);
        Runtime.getRuntime().addShutdownHook(made.hook);
        try {
            ip("link", "add", BRIDGE, "type", "bridge");
            ip("addr", "add", HOST + "/24", "dev", BRIDGE);
            ip("link", "set", BRIDGE, "up");
            for (int id : ids) {
                String ns = namespace(id);
                ip("netns", "add", ns);
                ip("link", "add", "pxc-h" + id, "type", "veth", "peer", "name", "pxc-n" + id);
                ip("link", "set", "pxc-n" + id, "netns", ns);
                ip("link", "set", "pxc-h" + id, "master", BRIDGE);
                ip("link", "set", "pxc-h" + id, "up");
                ip("-n", ns, "addr", "add", address(id) + "/24", "dev", "pxc-n" + id);
                ip("-n", ns, "link", "set", "pxc-n" + id, "up");
                ip("-n", ns, "link", "set", "lo", "up");
            }
        } catch (IOException | RuntimeException e) {
            made.close();
            throw e;
        }
        return made;
    }

    static String namespace(int id) {
        return ServerCluster.PREFIX + "s" + id;
    }

    static String address(int id) {
        return "10.213.0." + id;
    }

    /** The command prefix that runs a program in server {@code id}'s namespace ({@code ip netns exec} execs it: same pid). */
    static List<String> execIn(int id) {
        return List.of("ip", "netns", "exec", namespace(id));
    }

    /** Cuts every link between {@code server} and the other servers, both ways. */
    void isolate(int server) throws IOException, InterruptedException {
        for (int other : ids) {
            if (other != server) {
                ip("-n", namespace(server), "route", "add", "blackhole", address(other) + "/32");
                ip("-n", namespace(other), "route", "add", "blackhole", address(server) + "/32");
            }
        }
    }

    /** Restores every link {@link #isolate} cut. */
    void heal(int server) throws IOException, InterruptedException {
        for (int other : ids) {
            if (other != server) {
                ip("-n", namespace(server), "route", "del", "blackhole", address(other) + "/32");
                ip("-n", namespace(other), "route", "del", "blackhole", address(server) + "/32");
            }
        }
    }

    @Override
    public void close() {
        removeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook does the same removal
        }
    }

    private static void removeQuietly() {
        try {
            removeStale();
        } catch (IOException e) {
            System.err.println("paxlog chaos: could not remove the pxc- namespaces: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes every {@code pxc-} namespace (their veth ends go with them) and the bridge. */
    static void removeStale() throws IOException, InterruptedException {
        for (String line : output("ip", "netns", "list")) {
            String name = line.split(" ")[0];
            if (name.startsWith(ServerCluster.PREFIX)) {
                ip("netns", "del", name);
            }
        }
        for (String line : output("ip", "-o", "link", "show")) {
            String[] fields = line.split(":\\s+");
            if (fields.length > 1) {
                String name = fields[1].split("@")[0];
                if (name.startsWith(ServerCluster.PREFIX)) {
                    deleteLink(name);
                }
            }
        }
    }

    /**
     * Deletes a link, if it is still there: the host end of a veth pair goes away on its own, a moment
     * after its namespace was deleted, so it may vanish between the listing and the deletion.
     */
    private static void deleteLink(String name) throws IOException, InterruptedException {
        try {
            ip("link", "del", name);
        } catch (IOException e) {
            if (output("ip", "-o", "link", "show").stream().anyMatch(line -> line.contains(": " + name + ":")
                    || line.contains(": " + name + "@"))) {
                throw e;
            }
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text;
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no end within 10 s");
        }
        text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + text);
        }
    }

    private static List<String> output(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8).lines().toList();
    }
}
