package io.ledgerdisk.nbd.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the NBD server, validated on construction.
 *
 * @param host                          address to listen on, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param port                          TCP port; 0 picks a free one (see {@link NbdServer#actualPort()});
 *                                      10809 is the IANA port for NBD
 * @param handshakeTimeout              a client that has not entered transmission by then is disconnected
 * @param maxInFlightBytesPerConnection read and write bytes one connection may have outstanding at the
 *                                      device before the server stops reading its socket (back-pressure)
 * @param tls                           STARTTLS settings; {@link NbdTlsConfig#disabled()} for none
 */
public record NbdServerConfig(String host, int port, Duration handshakeTimeout, int maxInFlightBytesPerConnection,
                              NbdTlsConfig tls) {

    /** The IANA-registered NBD port. */
    public static final int NBD_PORT = 10809;
    /** Default handshake timeout. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    /** Default in-flight budget: two maximum-size requests. */
    public static final int DEFAULT_MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

    public NbdServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(tls, "tls");
        if (host.isBlank()) {
            throw new IllegalArgumentException("NBD server host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("NBD server port must be in 0..65535, was " + port);
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("NBD handshake timeout must be positive, was " + handshakeTimeout);
        }
        if (maxInFlightBytesPerConnection < 1) {
            throw new IllegalArgumentException(
                    "maxInFlightBytesPerConnection must be positive, was " + maxInFlightBytesPerConnection);
        }
    }

    /** Settings without TLS. */
    public NbdServerConfig(String host, int port, Duration handshakeTimeout, int maxInFlightBytesPerConnection) {
        this(host, port, handshakeTimeout, maxInFlightBytesPerConnection, NbdTlsConfig.disabled());
    }

    /** Defaults for everything but the listening address; no TLS. */
    public static NbdServerConfig defaults(String host, int port) {
        return new NbdServerConfig(host, port, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_IN_FLIGHT_BYTES);
    }

    /** A copy with another handshake timeout. */
    public NbdServerConfig withHandshakeTimeout(Duration timeout) {
        return new NbdServerConfig(host, port, timeout, maxInFlightBytesPerConnection, tls);
    }

    /** A copy with another in-flight budget. */
    public NbdServerConfig withMaxInFlightBytesPerConnection(int bytes) {
        return new NbdServerConfig(host, port, handshakeTimeout, bytes, tls);
    }

    /** A copy with other TLS settings. */
    public NbdServerConfig withTls(NbdTlsConfig tlsConfig) {
        return new NbdServerConfig(host, port, handshakeTimeout, maxInFlightBytesPerConnection, tlsConfig);
    }
}
