package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdHandshake.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ledgerdisk.nbd.device.FixedExportCatalog;
import io.ledgerdisk.nbd.device.MemoryBlockDevice;
import io.ledgerdisk.nbd.protocol.ExportInfoRequest;
import io.ledgerdisk.nbd.protocol.MetaContextRequest;
import io.ledgerdisk.nbd.protocol.NbdRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing: random and mutated handshake and request frames on many connections. The server must
 * neither throw on its event loops nor leak connections, and a well-behaved client must keep working.
 */
class NbdFuzzTest {

    private static final long SEED = 0x1edd15cL;
    private static final int DISK_SIZE = 4 * 1024 * 1024;
    private static final long[] INTERESTING = {0, 1, 511, 512, 4096, DISK_SIZE - 1, DISK_SIZE, DISK_SIZE + 1,
            0xffffffffL, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, -1};

    private final Queue<Throwable> unhandled = new ConcurrentLinkedQueue<>();
    private Vertx vertx;
    private NbdServer server;

    @BeforeEach
    void startServer() {
        vertx = Vertx.vertx();
        vertx.exceptionHandler(unhandled::add);
        server = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0),
                FixedExportCatalog.of("disk", "fuzz target", new MemoryBlockDevice(DISK_SIZE)));
        server.start().join();
    }

    @AfterEach
    void stopServer() {
        server.close();
        vertx.close().await();
    }

    @Test
    void randomAndMutatedFramesLeaveTheServerServing() throws Exception {
        Random random = new Random(SEED);
        for (int round = 0; round < 300; round++) {
            byte[] bytes = switch (round % 3) {
                case 0 -> mutate(random, validHandshake(random));
                case 1 -> concat(validHandshake(random), mutate(random, requests(random, 1 + random.nextInt(8))));
                default -> concat(validHandshake(random), requests(random, 1 + random.nextInt(16)));
            };
            if (round % 10 == 0) {
                bytes = randomBytes(random, random.nextInt(200));
            }
            exchange(bytes);
        }

        // A well-behaved client still gets correct service.
        try (RawNbdClient client = RawNbdClient.handshake(server.actualPort())) {
            client.go("disk");
            byte[] data = NbdServerTest.pattern(4096, 77);
            client.request(0, NbdRequest.CMD_WRITE, 1, 8192, data.length, data);
            assertEquals(0, client.readSimpleReply().error());
            client.request(0, NbdRequest.CMD_READ, 2, 8192, data.length, null);
            assertEquals(0, client.readSimpleReply().error());
            assertArrayEquals(data, client.readBytes(data.length));
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, server.connectionCount(), "connections left open after their clients went away");
        assertTrue(unhandled.isEmpty(), () -> "unhandled exceptions on event loops: " + unhandled);
    }

    /** Sends the bytes after reading the greeting, half-closes, and drains whatever comes back. */
    private void exchange(byte[] bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.actualPort()), 5000);
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            in.readNBytes(GREETING_LENGTH);
            try {
                socket.getOutputStream().write(bytes);
                socket.shutdownOutput();
                byte[] sink = new byte[65536];
                while (in.read(sink) >= 0) {
                    // discard replies until the server closes
                }
            } catch (SocketTimeoutException e) {
                fail("server neither answered nor closed after " + bytes.length + " fuzzed bytes");
            } catch (SocketException e) {
                // The server may reset a connection it dropped while we were still writing.
            }
        }
    }

    /** Client flags and a random mix of options ending in NBD_OPT_GO. */
    private static byte[] validHandshake(Random random) {
        ByteBuf out = Unpooled.buffer();
        out.writeInt(CLIENT_FLAG_FIXED_NEWSTYLE | CLIENT_FLAG_NO_ZEROES);
        if (random.nextBoolean()) {
            option(out, OPT_LIST, Unpooled.EMPTY_BUFFER);
        }
        int style = random.nextInt(3);
        if (style == 1) {
            option(out, OPT_STRUCTURED_REPLY, Unpooled.EMPTY_BUFFER);
        } else if (style == 2) {
            option(out, OPT_EXTENDED_HEADERS, Unpooled.EMPTY_BUFFER);
        }
        if (style > 0 && random.nextBoolean()) {
            ByteBuf data = Unpooled.buffer();
            writeMetaContextRequest(data, new MetaContextRequest("disk", List.of("base:allocation")));
            option(out, OPT_SET_META_CONTEXT, data);
        }
        ByteBuf go = Unpooled.buffer();
        writeExportInfoRequest(go, new ExportInfoRequest("disk", List.of(INFO_BLOCK_SIZE)));
        option(out, OPT_GO, go);
        // Which header the server expects depends on the style; requests() sends both kinds at random.
        return ByteBufUtil.getBytes(out);
    }

    private static void option(ByteBuf out, int code, ByteBuf data) {
        writeOption(out, code, data);
    }

    /** Requests with random types, flags and boundary offsets and lengths, in compact or extended form. */
    private static byte[] requests(Random random, int count) {
        ByteBuf out = Unpooled.buffer();
        boolean extended = random.nextInt(3) == 0;
        for (int i = 0; i < count; i++) {
            int type = random.nextInt(10);
            int flags = random.nextInt(4) == 0 ? random.nextInt(1 << 16) : random.nextInt(2);
            long offset = pick(random);
            long length = pick(random);
            int payload = 0;
            if (type == NbdRequest.CMD_WRITE || (extended && (flags & NbdRequest.FLAG_PAYLOAD_LEN) != 0)) {
                payload = random.nextInt(8192);
                length = payload;
                if (extended) {
                    flags |= NbdRequest.FLAG_PAYLOAD_LEN;
                }
            }
            if (extended) {
                NbdRequest.writeExtended(out, flags, type, i, offset, length);
            } else {
                NbdRequest.writeCompact(out, flags, type, i, offset, (int) length);
            }
            out.writeBytes(randomBytes(random, payload));
        }
        return ByteBufUtil.getBytes(out);
    }

    private static long pick(Random random) {
        return random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : random.nextInt(DISK_SIZE);
    }

    /** Flips, overwrites, drops or inserts a few bytes. */
    private static byte[] mutate(Random random, byte[] bytes) {
        byte[] result = bytes.clone();
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations && result.length > 0; i++) {
            int at = random.nextInt(result.length);
            switch (random.nextInt(4)) {
                case 0 -> result[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> result[at] = (byte) random.nextInt(256);
                case 2 -> result = concat(java.util.Arrays.copyOfRange(result, 0, at),
                        java.util.Arrays.copyOfRange(result, Math.min(result.length, at + 1 + random.nextInt(8)),
                                result.length));
                default -> result = concat(concat(java.util.Arrays.copyOfRange(result, 0, at),
                        randomBytes(random, 1 + random.nextInt(8))), java.util.Arrays.copyOfRange(result, at, result.length));
            }
        }
        return result;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] joined = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }
}
