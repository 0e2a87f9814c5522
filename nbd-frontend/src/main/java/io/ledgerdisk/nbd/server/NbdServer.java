package io.ledgerdisk.nbd.server;

import io.ledgerdisk.nbd.device.ExportCatalog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An NBD server (fixed-newstyle handshake, simple, structured and extended replies, {@code base:allocation})
 * serving the exports of an {@link ExportCatalog} over TCP on Vert.x event loops. Thread-safe.
 *
 * <pre>{@code
 * NbdServer server = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0), catalog);
 * server.start().join();
 * int port = server.actualPort();
 * ...
 * server.close();
 * }</pre>
 */
public final class NbdServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NbdServer.class);
    private static final long CLOSE_WAIT_SECONDS = 10;
    /** How long a shutdown lets connections finish the requests they have in flight. */
    static final long SHUTDOWN_GRACE_MILLIS = 5000;

    private final Vertx vertx;
    private final NbdServerConfig config;
    private final ExportCatalog catalog;
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final ServerSSLOptions sslOptions;
    private volatile NetServer netServer;
    private volatile boolean listening;
    private volatile boolean closed;

    public NbdServer(Vertx vertx, NbdServerConfig config, ExportCatalog catalog) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.config = Objects.requireNonNull(config, "config");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.sslOptions = config.tls().enabled() ? sslOptions(config.tls()) : null;
    }

    private static ServerSSLOptions sslOptions(NbdTlsConfig tls) {
        PemKeyCertOptions identity = new PemKeyCertOptions()
                .setCertPath(tls.certificate().toString())
                .setKeyPath(tls.privateKey().toString());
        return new ServerSSLOptions().setKeyCertOptions(identity);
    }

    /**
     * Starts listening; completes with this server once bound (port 0 binds a free port, see
     * {@link #actualPort()}). With TLS configured, the certificate and key are loaded first, on a worker
     * thread, so a bad file fails the start rather than the first client.
     */
    public CompletableFuture<NbdServer> start() {
        if (netServer != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("NBD server already started"));
        }
        NetServerOptions options = new NetServerOptions()
                .setHost(config.host())
                .setPort(config.port())
                .setTcpNoDelay(true)
                .setReuseAddress(true)
                // STARTTLS builds the TLS context on a worker, never on an event loop.
                .setSslEngineOptions(new JdkSSLEngineOptions().setUseWorkerThread(true));
        NetServer server = vertx.createNetServer(options).connectHandler(this::accept);
        netServer = server;
        CompletableFuture<NbdServer> started = new CompletableFuture<>();
        checkTlsIdentity().compose(ignored -> server.listen()).onComplete(result -> {
            if (result.succeeded()) {
                listening = true;
                log.info("NBD server listening on {}:{}{}", config.host(), server.actualPort(),
                        config.tls().enabled() ? (config.tls().required() ? " (TLS required)" : " (TLS offered)") : "");
                started.complete(this);
            } else {
                started.completeExceptionally(result.cause());
            }
        });
        return started;
    }

    private Future<Void> checkTlsIdentity() {
        if (sslOptions == null) {
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> {
            try {
                sslOptions.getKeyCertOptions().getKeyManagerFactory(vertx);
                // Initialise JSSE here: the first STARTTLS otherwise pays for it on an event loop.
                javax.net.ssl.SSLContext.getDefault().createSSLEngine().getSupportedCipherSuites();
                return null;
            } catch (Exception e) {
                throw new IllegalArgumentException("cannot load NBD TLS certificate " + config.tls().certificate()
                        + " with key " + config.tls().privateKey() + ": " + e.getMessage(), e);
            }
        });
    }

    /** The bound port; meaningful once {@link #start()} has completed. */
    public int actualPort() {
        NetServer server = netServer;
        if (server == null) {
            throw new IllegalStateException("NBD server not started");
        }
        return server.actualPort();
    }

    public boolean isListening() {
        return listening;
    }

    /** Connections currently open. */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Stops listening and shuts connections down: those still negotiating close at once, those in
     * transmission first answer their requests in flight (for up to {@value #SHUTDOWN_GRACE_MILLIS} ms).
     * Completes when every connection is closed.
     */
    public CompletableFuture<Void> closeAsync() {
        NetServer server = netServer;
        closed = true;
        listening = false;
        if (server == null) {
            return CompletableFuture.completedFuture(null);
        }
        // Vert.x calls each socket's shutdown handler (NbdConnection#close), then closes what is left.
        Future<Void> stopped = server.shutdown(Duration.ofMillis(SHUTDOWN_GRACE_MILLIS));
        return stopped.toCompletionStage().toCompletableFuture();
    }

    /**
     * Stops listening and shuts connections down as {@link #closeAsync()} does. Off Vert.x threads this waits
     * (up to 10 s) until the port is released and the connections are closed; on a Vert.x thread it only
     * starts closing, since waiting there would block an event loop.
     */
    @Override
    public void close() {
        CompletableFuture<Void> closed = closeAsync();
        if (Context.isOnVertxThread()) {
            return;
        }
        try {
            closed.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("NBD server on {}:{} did not close cleanly: {}", config.host(), config.port(), e.toString());
        }
    }

    private void accept(NetSocket socket) {
        if (closed) {
            socket.close();
            return;
        }
        NbdConnection connection = new NbdConnection(vertx, socket, config, catalog, sslOptions,
                connections::remove);
        connections.add(connection);
        connection.start();
    }
}
