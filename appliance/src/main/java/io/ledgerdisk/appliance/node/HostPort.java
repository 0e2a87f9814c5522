package io.ledgerdisk.appliance.node;

/** A listening address given as {@code HOST:PORT}. */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    /** Parses {@code HOST:PORT}; {@code what} names the option in the error message. */
    public static HostPort parse(String text, String what) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(what + " must look like HOST:PORT, e.g. 127.0.0.1:10809; got '" + text + "'");
        }
        try {
            return new HostPort(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": '" + text.substring(colon + 1) + "' is not a port number", e);
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
