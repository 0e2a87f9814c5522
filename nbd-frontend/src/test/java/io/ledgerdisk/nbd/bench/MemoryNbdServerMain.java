package io.ledgerdisk.nbd.bench;

import io.ledgerdisk.nbd.device.FixedExportCatalog;
import io.ledgerdisk.nbd.device.MemoryBlockDevice;
import io.ledgerdisk.nbd.server.NbdServer;
import io.ledgerdisk.nbd.server.NbdServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CountDownLatch;

/**
 * Serves one {@link MemoryBlockDevice} export over NBD until killed, for benchmarks and manual testing
 * (bench/nbd/). Usage: {@code MemoryNbdServerMain [port [sizeMiB [exportName [eventLoops [epoll|nio]]]]]};
 * prints {@code LISTENING <port>} once bound.
 */
public final class MemoryNbdServerMain {

    private MemoryNbdServerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : NbdServerConfig.NBD_PORT;
        long sizeMiB = args.length > 1 ? Long.parseLong(args[1]) : 1024;
        String name = args.length > 2 ? args[2] : "mem";
        int eventLoops = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        boolean nativeTransport = args.length <= 4 || !args[4].equals("nio");

        // Native epoll when available (test classpath) unless "nio" is asked for; falls back to NIO otherwise.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops)
                .setPreferNativeTransport(nativeTransport));
        MemoryBlockDevice device = new MemoryBlockDevice(sizeMiB * 1024 * 1024);
        NbdServer server = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", port),
                FixedExportCatalog.of(name, "RAM disk of " + sizeMiB + " MiB", device));
        server.start().join();
        System.out.println("LISTENING " + server.actualPort() + " transport=" + vertx.isNativeTransportEnabled());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            vertx.close();
            stopped.countDown();
        }, "nbd-shutdown"));
        stopped.await();
    }
}
