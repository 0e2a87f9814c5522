package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdRequest.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ledgerdisk.nbd.device.FixedExportCatalog;
import io.ledgerdisk.nbd.device.MemoryBlockDevice;
import io.ledgerdisk.nbd.protocol.TransmissionRequest;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-connection in-flight budget, alone and as back-pressure on a real connection. */
class InFlightBudgetTest {

    private Vertx vertx;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stopVertx() {
        vertx.close().await();
    }

    @Test
    void chargesDataPlusOverheadAndAlwaysAdmitsOneRequest() {
        InFlightBudget budget = new InFlightBudget(10_000);
        assertFalse(budget.exhausted());
        long read = budget.charge(new TransmissionRequest(0, CMD_READ, 1, 0, 8192, null));
        assertEquals(8192 + InFlightBudget.REQUEST_OVERHEAD_BYTES, read);
        assertFalse(budget.exhausted());
        long flush = budget.charge(new TransmissionRequest(0, CMD_FLUSH, 2, 0, 0, null));
        assertTrue(budget.exhausted());
        budget.release(read);
        budget.release(flush);
        assertTrue(budget.idle());
    }

    @Test
    void exhaustedBudgetLimitsRequestsReachingTheDevice() throws Exception {
        assertEquals(1, maxConcurrentWrites(1), "a one-byte budget admits one request at a time");
        assertTrue(maxConcurrentWrites(64 * 1024 * 1024) > 1, "a large budget lets requests overlap");
    }

    /** Pipelines 16 writes against a device whose writes take 20 ms; returns the most seen at once. */
    private int maxConcurrentWrites(int budgetBytes) throws Exception {
        AtomicInteger current = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        SlowWrites device = new SlowWrites(new MemoryBlockDevice(1024 * 1024), current, peak);
        NbdServerConfig config = NbdServerConfig.defaults("127.0.0.1", 0).withMaxInFlightBytesPerConnection(budgetBytes);
        try (NbdServer server = new NbdServer(vertx, config, FixedExportCatalog.of("d", "", device))) {
            server.start().join();
            try (RawNbdClient client = RawNbdClient.handshake(server.actualPort())) {
                client.go("d");
                byte[] data = new byte[4096];
                for (int i = 0; i < 16; i++) {
                    client.request(0, CMD_WRITE, i, (long) i * 4096, data.length, data);
                }
                for (int i = 0; i < 16; i++) {
                    assertEquals(0, client.readSimpleReply().error());
                }
            }
        }
        return peak.get();
    }

    /** Delegates to a memory device but completes writes 20 ms later on another thread, counting overlap. */
    private static final class SlowWrites extends ForwardingBlockDevice {
        private final AtomicInteger current;
        private final AtomicInteger peak;

        SlowWrites(MemoryBlockDevice delegate, AtomicInteger current, AtomicInteger peak) {
            super(delegate);
            this.current = current;
            this.peak = peak;
        }

        @Override
        public CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
            peak.accumulateAndGet(current.incrementAndGet(), Math::max);
            CompletableFuture<Void> written = super.write(offset, data, fua);
            return written.thenRunAsync(current::decrementAndGet,
                    CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
        }
    }
}
