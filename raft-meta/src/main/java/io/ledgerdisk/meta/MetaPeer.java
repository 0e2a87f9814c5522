package io.ledgerdisk.meta;

import java.util.Objects;

/**
 * One member of the metadata Raft group: a stable id and the gRPC address it listens on.
 *
 * @param id   the peer id, stable across restarts (it names the peer in the Raft log)
 * @param host the host name or address other peers and clients dial
 * @param port the gRPC port
 */
public record MetaPeer(String id, String host, int port) {

    /** Checks the fields; a peer with a blank id or an invalid port is a configuration error. */
    public MetaPeer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        if (id.isBlank()) {
            throw new IllegalArgumentException("metadata peer id must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("metadata peer " + id + ": port " + port + " is outside 1..65535");
        }
    }

    /** The address in {@code host:port} form. */
    public String address() {
        return host + ":" + port;
    }
}
