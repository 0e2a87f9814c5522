package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdHandshake.*;
import static io.ledgerdisk.nbd.protocol.NbdRequest.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ledgerdisk.nbd.device.BlockError;
import io.ledgerdisk.nbd.device.FixedExportCatalog;
import io.ledgerdisk.nbd.device.MemoryBlockDevice;
import io.ledgerdisk.nbd.protocol.NbdReply;
import io.ledgerdisk.nbd.server.RawNbdClient.Chunk;
import io.ledgerdisk.nbd.server.RawNbdClient.OptionReply;
import io.ledgerdisk.nbd.server.RawNbdClient.SimpleReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server in-JVM, driven by a raw socket client that sends exactly the frames each case needs. */
class NbdServerTest {

    private static final int DISK_SIZE = 16 * 1024 * 1024;
    private static Vertx vertx;
    private static NbdServer server;
    private static int port;

    @BeforeAll
    static void startServer() {
        vertx = Vertx.vertx();
        FixedExportCatalog catalog = FixedExportCatalog.builder()
                .add("disk", "a scratch disk", new MemoryBlockDevice(DISK_SIZE))
                .add("ro", "", new MemoryBlockDevice(1024 * 1024, true))
                .build();
        server = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0), catalog);
        server.start().join();
        port = server.actualPort();
    }

    @AfterAll
    static void stopServer() {
        server.close();
        vertx.close().await();
    }

    @Test
    void goAnswersExportInfoAndEntersTransmission() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            List<OptionReply> replies = client.infoOrGo(OPT_GO, "disk", INFO_NAME, INFO_DESCRIPTION, INFO_BLOCK_SIZE);
            Map<Integer, ByteBuffer> infos = infos(replies);
            ByteBuffer export = infos.get(INFO_EXPORT);
            assertEquals(DISK_SIZE, export.getLong(2));
            int flags = export.getShort(10) & 0xffff;
            int expected = TRANSMISSION_HAS_FLAGS | TRANSMISSION_SEND_FLUSH | TRANSMISSION_SEND_FUA
                    | TRANSMISSION_SEND_TRIM | TRANSMISSION_SEND_WRITE_ZEROES | TRANSMISSION_SEND_FAST_ZERO
                    | TRANSMISSION_SEND_CACHE | TRANSMISSION_CAN_MULTI_CONN;
            assertEquals(expected, flags);
            assertEquals("disk", text(infos.get(INFO_NAME)));
            assertEquals("a scratch disk", text(infos.get(INFO_DESCRIPTION)));
            ByteBuffer sizes = infos.get(INFO_BLOCK_SIZE);
            assertEquals(1, sizes.getInt(2));
            assertEquals(4096, sizes.getInt(6));
            assertEquals(32 * 1024 * 1024, sizes.getInt(10));
            assertEquals(REP_ACK, replies.get(replies.size() - 1).type());

            client.request(0, CMD_FLUSH, 7, 0, 0, null);
            assertEquals(new SimpleReply(0, 7), client.readSimpleReply());
        }
    }

    @Test
    void writeThenReadReturnsTheData() throws Exception {
        byte[] data = pattern(8192, 1);
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.go("disk");
            client.request(FLAG_FUA, CMD_WRITE, 1, 4096, data.length, data);
            assertEquals(new SimpleReply(0, 1), client.readSimpleReply());
            client.request(0, CMD_READ, 2, 4096, data.length, null);
            assertEquals(new SimpleReply(0, 2), client.readSimpleReply());
            assertArrayEquals(data, client.readBytes(data.length));
        }
    }

    @Test
    void infoThenListThenGoOnOneConnection() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            List<OptionReply> info = client.infoOrGo(OPT_INFO, "ro");
            int flags = infos(info).get(INFO_EXPORT).getShort(10) & 0xffff;
            assertNotEquals(0, flags & TRANSMISSION_READ_ONLY);
            assertEquals(0, flags & TRANSMISSION_SEND_TRIM);

            List<OptionReply> listing = client.request(OPT_LIST, Unpooled.EMPTY_BUFFER);
            assertEquals(3, listing.size());
            assertEquals("disk", serverName(listing.get(0)));
            assertEquals("ro", serverName(listing.get(1)));
            assertEquals(REP_ACK, listing.get(2).type());

            client.go("disk");
            client.request(0, CMD_READ, 3, DISK_SIZE - 512, 512, null);
            assertEquals(0, client.readSimpleReply().error());
            assertArrayEquals(new byte[512], client.readBytes(512));
        }
    }

    @Test
    void unknownExportAndUnsupportedOptionsAreRefusedButNegotiationGoesOn() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            List<OptionReply> unknown = client.infoOrGo(OPT_GO, "nope");
            assertEquals(List.of(REP_ERR_UNKNOWN), unknown.stream().map(OptionReply::type).toList());
            assertEquals(REP_ERR_UNSUP, client.request(99, Unpooled.EMPTY_BUFFER).get(0).type());
            assertEquals(REP_ERR_UNSUP, client.request(OPT_PEEK_EXPORT, Unpooled.EMPTY_BUFFER).get(0).type());
            assertEquals(REP_ERR_INVALID, client.request(OPT_LIST, Unpooled.wrappedBuffer(new byte[3])).get(0).type());
            assertEquals(REP_ERR_INVALID, client.request(OPT_GO, Unpooled.wrappedBuffer(new byte[5])).get(0).type());
            client.go("disk");
            client.request(0, CMD_FLUSH, 9, 0, 0, null);
            assertEquals(new SimpleReply(0, 9), client.readSimpleReply());
        }
    }

    @Test
    void exportNameFallbackEntersTransmissionWithoutZeroes() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.sendOption(OPT_EXPORT_NAME, Unpooled.copiedBuffer("disk", StandardCharsets.UTF_8));
            ByteBuffer reply = ByteBuffer.wrap(client.readBytes(10));
            assertEquals(DISK_SIZE, reply.getLong());
            assertNotEquals(0, reply.getShort() & TRANSMISSION_HAS_FLAGS);
            client.request(0, CMD_FLUSH, 5, 0, 0, null);
            assertEquals(new SimpleReply(0, 5), client.readSimpleReply());
        }
    }

    @Test
    void exportNameForUnknownExportDisconnects() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.sendOption(OPT_EXPORT_NAME, Unpooled.copiedBuffer("nope", StandardCharsets.UTF_8));
            assertTrue(client.isClosedByServer());
        }
    }

    @Test
    void abortIsAcknowledgedThenClosed() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.sendOption(OPT_ABORT);
            assertEquals(REP_ACK, client.readOptionReply().type());
            assertTrue(client.isClosedByServer());
        }
    }

    @Test
    void unknownClientFlagsDisconnect() throws Exception {
        try (RawNbdClient client = RawNbdClient.connect(port)) {
            client.readGreeting();
            client.sendInt(1 << 7);
            assertTrue(client.isClosedByServer());
        }
    }

    @Test
    void invalidRequestsGetErrorsAndTheConnectionKeepsWorking() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.go("disk");
            client.request(0, CMD_READ, 1, DISK_SIZE - 512, 1024, null);
            assertEquals(new SimpleReply(BlockError.EINVAL.nbdValue(), 1), client.readSimpleReply());
            client.request(0, CMD_WRITE, 2, DISK_SIZE, 512, new byte[512]);
            assertEquals(new SimpleReply(BlockError.ENOSPC.nbdValue(), 2), client.readSimpleReply());
            client.request(0, 42, 3, 0, 512, null);
            assertEquals(new SimpleReply(BlockError.EINVAL.nbdValue(), 3), client.readSimpleReply());
            client.request(FLAG_REQ_ONE, CMD_READ, 4, 0, 512, null);
            assertEquals(new SimpleReply(BlockError.EINVAL.nbdValue(), 4), client.readSimpleReply());
            client.request(0, CMD_TRIM, 5, -4096, 4096, null);
            assertEquals(new SimpleReply(BlockError.EINVAL.nbdValue(), 5), client.readSimpleReply());
            client.request(0, CMD_BLOCK_STATUS, 6, 0, 4096, null);
            assertEquals(new SimpleReply(BlockError.EINVAL.nbdValue(), 6), client.readSimpleReply());
            client.request(0, CMD_READ, 7, 0, 4, null);
            assertEquals(new SimpleReply(0, 7), client.readSimpleReply());
            client.readBytes(4);
        }
    }

    @Test
    void writesToReadOnlyExportFailWithEperm() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.go("ro");
            client.request(0, CMD_WRITE, 1, 0, 512, new byte[512]);
            assertEquals(new SimpleReply(BlockError.EPERM.nbdValue(), 1), client.readSimpleReply());
            client.request(0, CMD_READ, 2, 0, 512, null);
            assertEquals(new SimpleReply(0, 2), client.readSimpleReply());
            client.readBytes(512);
        }
    }

    @Test
    void badRequestMagicClosesTheConnection() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.go("disk");
            client.sendRaw(new byte[28]);
            assertTrue(client.isClosedByServer());
        }
    }

    @Test
    void disconnectCommandClosesAfterOutstandingReplies() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.go("disk");
            client.request(0, CMD_WRITE, 1, 0, 4096, pattern(4096, 3));
            client.request(0, CMD_DISC, 2, 0, 0, null);
            assertEquals(new SimpleReply(0, 1), client.readSimpleReply());
            assertTrue(client.isClosedByServer());
        }
    }

    @Test
    void pipelinedRequestsAreAllAnswered() throws Exception {
        int count = 64;
        int size = 65536;
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.go("disk");
            for (int i = 0; i < count; i++) {
                client.request(0, CMD_WRITE, i, (long) i * size, size, pattern(size, i));
            }
            for (int i = 0; i < count; i++) {
                assertEquals(0, client.readSimpleReply().error());
            }
            for (int i = 0; i < count; i++) {
                client.request(0, CMD_READ, 1000 + i, (long) i * size, size, null);
            }
            for (int i = 0; i < count; i++) {
                SimpleReply reply = client.readSimpleReply();
                assertEquals(0, reply.error());
                int index = (int) reply.cookie() - 1000;
                assertArrayEquals(pattern(size, index), client.readBytes(size), "read of block " + index);
            }
        }
    }

    @Test
    void structuredReadSendsHolesAndData() throws Exception {
        long base = 8 * 1024 * 1024;
        byte[] data = pattern(4096, 9);
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            assertEquals(REP_ACK, client.request(OPT_STRUCTURED_REPLY, Unpooled.EMPTY_BUFFER).get(0).type());
            List<OptionReply> set = client.metaContext(OPT_SET_META_CONTEXT, "disk", "base:allocation");
            assertEquals(REP_META_CONTEXT, set.get(0).type());
            int contextId = ByteBuffer.wrap(set.get(0).data()).getInt();
            assertNotEquals(0, infos(client.go("disk")).get(INFO_EXPORT).getShort(10) & TRANSMISSION_SEND_DF);

            client.request(0, CMD_WRITE, 1, base + 4096, 4096, data);
            assertEquals(new SimpleReply(0, 1), client.readSimpleReply());

            client.request(0, CMD_READ, 2, base, 3 * 4096, null);
            List<Chunk> chunks = client.readReply(false);
            assertEquals(3, chunks.size());
            assertEquals(NbdReply.TYPE_OFFSET_HOLE, chunks.get(0).type());
            ByteBuffer hole = ByteBuffer.wrap(chunks.get(0).payload());
            assertEquals(base, hole.getLong());
            assertEquals(4096, hole.getInt());
            assertEquals(NbdReply.TYPE_OFFSET_DATA, chunks.get(1).type());
            assertEquals(base + 4096, ByteBuffer.wrap(chunks.get(1).payload()).getLong());
            assertArrayEquals(data, Arrays.copyOfRange(chunks.get(1).payload(), 8, 8 + 4096));
            assertEquals(NbdReply.TYPE_OFFSET_HOLE, chunks.get(2).type());
            assertTrue(chunks.get(2).done());

            // A one-page read is answered with one data chunk, zeros included: no allocation query for it.
            client.request(0, CMD_READ, 5, base, 4096, null);
            List<Chunk> page = client.readReply(false);
            assertEquals(1, page.size());
            assertEquals(NbdReply.TYPE_OFFSET_DATA, page.get(0).type());
            assertArrayEquals(new byte[4096], Arrays.copyOfRange(page.get(0).payload(), 8, 8 + 4096));

            client.request(0, CMD_BLOCK_STATUS, 3, base, 3 * 4096, null);
            Chunk status = client.readChunk(false);
            assertTrue(status.done());
            assertEquals(NbdReply.TYPE_BLOCK_STATUS, status.type());
            ByteBuffer descriptors = ByteBuffer.wrap(status.payload());
            assertEquals(contextId, descriptors.getInt());
            assertEquals(4096, descriptors.getInt());
            assertEquals(NbdReply.STATE_HOLE | NbdReply.STATE_ZERO, descriptors.getInt());
            assertEquals(4096, descriptors.getInt());
            assertEquals(0, descriptors.getInt());

            client.request(0, CMD_READ, 4, DISK_SIZE, 512, null);
            Chunk error = client.readChunk(false);
            assertEquals(NbdReply.TYPE_ERROR, error.type());
            assertEquals(BlockError.EINVAL.nbdValue(), ByteBuffer.wrap(error.payload()).getInt());
        }
    }

    @Test
    void extendedHeadersCarry64BitRequestsAndReplies() throws Exception {
        long base = 12 * 1024 * 1024;
        byte[] data = pattern(8192, 11);
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            assertEquals(REP_ACK, client.request(OPT_EXTENDED_HEADERS, Unpooled.EMPTY_BUFFER).get(0).type());
            assertEquals(REP_ERR_EXT_HEADER_REQD,
                    client.request(OPT_STRUCTURED_REPLY, Unpooled.EMPTY_BUFFER).get(0).type());
            client.metaContext(OPT_SET_META_CONTEXT, "disk", "base:allocation");
            client.go("disk");

            client.extendedRequest(FLAG_PAYLOAD_LEN, CMD_WRITE, 1, base, data.length, data);
            Chunk written = client.readChunk(true);
            assertEquals(NbdReply.TYPE_NONE, written.type());
            assertEquals(base, written.offset());
            assertTrue(written.done());

            client.extendedRequest(0, CMD_READ, 2, base, data.length, null);
            List<Chunk> read = client.readReply(true);
            assertEquals(1, read.size());
            assertArrayEquals(data, Arrays.copyOfRange(read.get(0).payload(), 8, 8 + data.length));

            client.extendedRequest(0, CMD_TRIM, 3, base, 4096, null);
            assertEquals(NbdReply.TYPE_NONE, client.readChunk(true).type());
            client.extendedRequest(0, CMD_BLOCK_STATUS, 4, base, 8192, null);
            Chunk status = client.readChunk(true);
            assertEquals(NbdReply.TYPE_BLOCK_STATUS_EXT, status.type());
            ByteBuffer payload = ByteBuffer.wrap(status.payload());
            payload.getInt();
            assertEquals(2, payload.getInt());
            assertEquals(4096L, payload.getLong());
            assertEquals(NbdReply.STATE_HOLE | NbdReply.STATE_ZERO, payload.getLong());
            assertEquals(4096L, payload.getLong());
            assertEquals(0L, payload.getLong());

            // A write without PAYLOAD_LEN carries no data: refused, and the stream stays in sync.
            client.extendedRequest(0, CMD_WRITE, 5, base, 512, null);
            Chunk refused = client.readChunk(true);
            assertEquals(NbdReply.TYPE_ERROR, refused.type());
            // A payload on a command that takes none is consumed, then refused.
            client.extendedRequest(FLAG_PAYLOAD_LEN, CMD_FLUSH, 6, 0, 16, new byte[16]);
            assertEquals(NbdReply.TYPE_ERROR, client.readChunk(true).type());
            client.extendedRequest(0, CMD_FLUSH, 7, 0, 0, null);
            assertEquals(NbdReply.TYPE_NONE, client.readChunk(true).type());
        }
    }

    @Test
    void writeZeroesAndTrimReadBackAsZeroes() throws Exception {
        long base = 4 * 1024 * 1024;
        try (RawNbdClient client = RawNbdClient.handshake(port)) {
            client.go("disk");
            client.request(0, CMD_WRITE, 1, base, 12288, pattern(12288, 5));
            client.readSimpleReply();
            client.request(FLAG_NO_HOLE | FLAG_FUA, CMD_WRITE_ZEROES, 2, base + 100, 5000, null);
            assertEquals(new SimpleReply(0, 2), client.readSimpleReply());
            client.request(0, CMD_TRIM, 3, base + 8192, 4096, null);
            assertEquals(new SimpleReply(0, 3), client.readSimpleReply());
            client.request(0, CMD_CACHE, 4, base, 4096, null);
            assertEquals(new SimpleReply(0, 4), client.readSimpleReply());
            client.request(0, CMD_READ, 5, base, 12288, null);
            client.readSimpleReply();
            byte[] expected = pattern(12288, 5);
            Arrays.fill(expected, 100, 5100, (byte) 0);
            Arrays.fill(expected, 8192, 12288, (byte) 0);
            assertArrayEquals(expected, client.readBytes(12288));
        }
    }

    @Test
    void stalledHandshakeIsDisconnected() throws Exception {
        NbdServerConfig config = NbdServerConfig.defaults("127.0.0.1", 0).withHandshakeTimeout(Duration.ofMillis(200));
        NbdServer quick = new NbdServer(vertx, config,
                FixedExportCatalog.of("disk", "", new MemoryBlockDevice(4096)));
        try (quick) {
            quick.start().join();
            try (RawNbdClient client = RawNbdClient.connect(quick.actualPort())) {
                client.readGreeting();
                long start = System.nanoTime();
                assertTrue(client.isClosedByServer());
                assertTrue(System.nanoTime() - start < 5_000_000_000L);
            }
        }
    }

    @Test
    void smallInFlightBudgetStillServesEveryRequest() throws Exception {
        NbdServerConfig config = NbdServerConfig.defaults("127.0.0.1", 0).withMaxInFlightBytesPerConnection(1);
        MemoryBlockDevice device = new MemoryBlockDevice(4 * 1024 * 1024);
        NbdServer throttled = new NbdServer(vertx, config, FixedExportCatalog.of("disk", "", device));
        try (throttled) {
            throttled.start().join();
            try (RawNbdClient client = RawNbdClient.handshake(throttled.actualPort())) {
                client.go("disk");
                byte[] data = pattern(32768, 2);
                for (int i = 0; i < 100; i++) {
                    client.request(0, CMD_WRITE, i, (long) i * 32768, data.length, data);
                }
                for (int i = 0; i < 100; i++) {
                    assertEquals(0, client.readSimpleReply().error());
                }
            }
        }
    }

    @Test
    void repliesLeaveAsRequestsCompleteAndDeviceErrorsReachTheClient() throws Exception {
        MemoryBlockDevice memory = new MemoryBlockDevice(1024 * 1024);
        NbdServer slow = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0),
                FixedExportCatalog.of("slow", "", new SlowBlockDevice(memory, 300, 8192)));
        try (slow) {
            slow.start().join();
            try (RawNbdClient client = RawNbdClient.handshake(slow.actualPort())) {
                client.go("slow");
                client.request(0, CMD_READ, 1, 0, 512, null);
                client.request(0, CMD_READ, 2, 4096, 512, null);
                client.request(0, CMD_READ, 3, 8192, 512, null);
                SimpleReply first = client.readSimpleReply();
                assertEquals(2, first.cookie(), "the fast read is answered before the slow one");
                client.readBytes(512);
                assertEquals(new SimpleReply(BlockError.EIO.nbdValue(), 3), client.readSimpleReply());
                assertEquals(new SimpleReply(0, 1), client.readSimpleReply());
                client.readBytes(512);
            }
        }
    }

    @Test
    void shutdownAnswersRequestsInFlightBeforeClosing() throws Exception {
        NbdServer stopping = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0),
                FixedExportCatalog.of("slow", "", new SlowBlockDevice(new MemoryBlockDevice(65536), 300, -1)));
        try (stopping) {
            stopping.start().join();
            try (RawNbdClient client = RawNbdClient.handshake(stopping.actualPort())) {
                client.go("slow");
                client.request(0, CMD_READ, 1, 0, 512, null);
                Thread.sleep(50);
                stopping.close();
                assertFalse(stopping.isListening());
                assertEquals(new SimpleReply(0, 1), client.readSimpleReply());
                client.readBytes(512);
                assertTrue(client.isClosedByServer());
            }
        }
    }

    @Test
    void failingCatalogDropsTheClientInsteadOfHangingIt() throws Exception {
        io.ledgerdisk.nbd.device.ExportCatalog broken = new io.ledgerdisk.nbd.device.ExportCatalog() {
            @Override
            public List<io.ledgerdisk.nbd.device.ExportSummary> list() {
                return List.of();
            }

            @Override
            public java.util.Optional<io.ledgerdisk.nbd.device.BlockDevice> find(String exportName) {
                throw new IllegalStateException("catalog unavailable");
            }
        };
        NbdServer failing = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0), broken);
        try (failing) {
            failing.start().join();
            try (RawNbdClient client = RawNbdClient.handshake(failing.actualPort())) {
                client.sendOption(OPT_LIST);
                assertEquals(REP_ACK, client.readOptionReply().type());
                client.infoOrGo(OPT_INFO, "x").size();
                fail("expected the connection to be closed");
            } catch (java.io.EOFException | java.net.SocketException expected) {
                // closed by the server, as intended
            }
        }
    }

    @Test
    void aDeviceThatShutsDownAnswersEshutdownAndClosesItsConnectionsOnly() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean fenced = new java.util.concurrent.atomic.AtomicBoolean();
        ForwardingBlockDevice fencing = new ForwardingBlockDevice(new MemoryBlockDevice(65536)) {
            @Override
            public java.util.concurrent.CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
                if (fenced.get()) {
                    return java.util.concurrent.CompletableFuture.failedFuture(new io.ledgerdisk.nbd.device.BlockDeviceException(
                            BlockError.ESHUTDOWN, "volume fenced by another node"));
                }
                return super.write(offset, data, fua);
            }
        };
        NbdServer server = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0),
                FixedExportCatalog.builder().add("fenced", "", fencing).add("other", "", new MemoryBlockDevice(65536)).build());
        try (server) {
            server.start().join();
            try (RawNbdClient client = RawNbdClient.handshake(server.actualPort());
                 RawNbdClient bystander = RawNbdClient.handshake(server.actualPort())) {
                client.go("fenced");
                bystander.go("other");
                client.request(0, CMD_WRITE, 1, 0, 4096, pattern(4096, 1));
                assertEquals(new SimpleReply(0, 1), client.readSimpleReply());
                fenced.set(true);
                client.request(0, CMD_WRITE, 2, 0, 4096, pattern(4096, 2));
                assertEquals(new SimpleReply(BlockError.ESHUTDOWN.nbdValue(), 2), client.readSimpleReply());
                assertTrue(client.isClosedByServer(), "a shut-down export's connection is closed");
                bystander.request(0, CMD_WRITE, 3, 0, 4096, pattern(4096, 3));
                assertEquals(new SimpleReply(0, 3), bystander.readSimpleReply(), "other exports keep serving");
            }
        }
    }

    @Test
    void largeWritesReachDevicesThatAcceptPiecesInPiecesAndOthersWhole() throws Exception {
        java.util.concurrent.atomic.AtomicInteger pieceCalls = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger wholeCalls = new java.util.concurrent.atomic.AtomicInteger();
        ForwardingBlockDevice pieces = new ForwardingBlockDevice(new MemoryBlockDevice(DISK_SIZE)) {
            @Override
            public boolean acceptsWritePieces() {
                return true;
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
                pieceCalls.incrementAndGet();
                return super.write(offset, data, fua);
            }
        };
        ForwardingBlockDevice whole = new ForwardingBlockDevice(new MemoryBlockDevice(DISK_SIZE)) {
            @Override
            public java.util.concurrent.CompletableFuture<Void> write(long offset, ByteBuf data, boolean fua) {
                wholeCalls.incrementAndGet();
                return super.write(offset, data, fua);
            }
        };
        NbdServer twoDevices = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0),
                FixedExportCatalog.builder().add("pieces", "", pieces).add("whole", "", whole)
                        .add("ro", "", new MemoryBlockDevice(DISK_SIZE, true)).build());
        byte[] data = pattern(3 * 1024 * 1024 + 512, 5);
        try (twoDevices) {
            twoDevices.start().join();
            for (String export : List.of("pieces", "whole")) {
                try (RawNbdClient client = RawNbdClient.handshake(twoDevices.actualPort())) {
                    client.go(export);
                    client.request(FLAG_FUA, CMD_WRITE, 1, 4096, data.length, data);
                    assertEquals(new SimpleReply(0, 1), client.readSimpleReply());
                    client.request(0, CMD_READ, 2, 4096, data.length, null);
                    assertEquals(new SimpleReply(0, 2), client.readSimpleReply());
                    assertArrayEquals(data, client.readBytes(data.length), export);
                    // Refused on its header, a streamed write's payload is still read off the socket.
                    client.request(0, CMD_WRITE, 3, DISK_SIZE - 4096, data.length, data);
                    assertEquals(new SimpleReply(BlockError.ENOSPC.nbdValue(), 3), client.readSimpleReply());
                    client.request(0, CMD_READ, 4, 4096, 512, null);
                    assertEquals(new SimpleReply(0, 4), client.readSimpleReply());
                    assertArrayEquals(Arrays.copyOf(data, 512), client.readBytes(512));
                }
            }
            assertTrue(pieceCalls.get() > 1, "the payload went to the device in pieces: " + pieceCalls.get());
            assertEquals(1, wholeCalls.get(), "a device that does not accept pieces gets the write whole");
            try (RawNbdClient client = RawNbdClient.handshake(twoDevices.actualPort())) {
                client.go("ro");
                client.request(0, CMD_WRITE, 5, 0, data.length, data);
                assertEquals(new SimpleReply(BlockError.EPERM.nbdValue(), 5), client.readSimpleReply());
                client.request(0, CMD_READ, 6, 0, 512, null);
                assertEquals(new SimpleReply(0, 6), client.readSimpleReply());
                assertArrayEquals(new byte[512], client.readBytes(512));
            }
        }
    }

    @Test
    void wrongSizedDeviceReadsBecomeEioWithoutCorruptingTheStream() throws Exception {
        ForwardingBlockDevice shortReads = new ForwardingBlockDevice(new MemoryBlockDevice(65536)) {
            @Override
            public java.util.concurrent.CompletableFuture<ByteBuf> read(long offset, int length) {
                return super.read(offset, offset == 0 ? length - 1 : length);
            }

            @Override
            public java.util.concurrent.CompletableFuture<List<io.ledgerdisk.nbd.device.AllocationExtent>> allocation(
                    long offset, long length) {
                return java.util.concurrent.CompletableFuture.completedFuture(
                        List.of(io.ledgerdisk.nbd.device.AllocationExtent.data(length)));
            }
        };
        NbdServer buggy = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0),
                FixedExportCatalog.of("short", "", shortReads));
        try (buggy) {
            buggy.start().join();
            try (RawNbdClient client = RawNbdClient.handshake(buggy.actualPort())) {
                client.go("short");
                client.request(0, CMD_READ, 1, 0, 512, null);
                assertEquals(new SimpleReply(BlockError.EIO.nbdValue(), 1), client.readSimpleReply());
                client.request(0, CMD_READ, 2, 512, 512, null);
                assertEquals(new SimpleReply(0, 2), client.readSimpleReply());
                client.readBytes(512);
            }
            try (RawNbdClient client = RawNbdClient.handshake(buggy.actualPort())) {
                client.request(OPT_STRUCTURED_REPLY, Unpooled.EMPTY_BUFFER);
                client.go("short");
                client.request(0, CMD_READ, 3, 0, 512, null);
                assertEquals(NbdReply.TYPE_ERROR, client.readChunk(false).type());
                client.request(0, CMD_READ, 4, 512, 512, null);
                assertEquals(NbdReply.TYPE_OFFSET_DATA, client.readChunk(false).type());
            }
        }
    }

    static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static Map<Integer, ByteBuffer> infos(List<OptionReply> replies) {
        Map<Integer, ByteBuffer> infos = new HashMap<>();
        for (OptionReply reply : replies) {
            if (reply.type() == REP_INFO) {
                ByteBuffer data = ByteBuffer.wrap(reply.data());
                infos.put(data.getShort(0) & 0xffff, data);
            }
        }
        return infos;
    }

    private static String text(ByteBuffer info) {
        return new String(info.array(), 2, info.capacity() - 2, StandardCharsets.UTF_8);
    }

    private static String serverName(OptionReply reply) {
        assertEquals(REP_SERVER, reply.type());
        ByteBuf data = Unpooled.wrappedBuffer(reply.data());
        int length = data.readInt();
        return data.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }
}
