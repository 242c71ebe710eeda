package io.paxlog.server.config;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * An address written {@code host:port} in the configuration ({@code [v6-address]:port} for IPv6).
 *
 * @param host a host name or IP literal, without brackets; never empty
 * @param port 1 to 65535
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("the host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 1-65535");
        }
    }

    /** Reads {@code host:port}; the exception's message says what is wrong, for the operator. */
    public static HostPort parse(String text) {
        String trimmed = text.strip();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException("\"" + text + "\" is not host:port");
        }
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("\"" + text + "\" is not host:port (write IPv6 as [address]:port)");
        }
        if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("\"" + text + "\" has no valid host");
        }
        String digits = trimmed.substring(colon + 1);
        int port;
        try {
            port = digits.chars().allMatch(Character::isDigit) && digits.length() <= 5 ? Integer.parseInt(digits) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("\"" + text + "\" has no valid port (1-65535)");
        }
        return new HostPort(host, port);
    }

    /** Resolves the host now: for binding and connecting. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    /** The same address whatever the spelling of the host's case: for duplicate detection. */
    String key() {
        return host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
