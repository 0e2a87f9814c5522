package io.ledgerdisk.nbd.server;

import static io.ledgerdisk.nbd.protocol.NbdHandshake.*;
import static io.ledgerdisk.nbd.protocol.NbdRequest.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ledgerdisk.nbd.device.FixedExportCatalog;
import io.ledgerdisk.nbd.device.MemoryBlockDevice;
import io.ledgerdisk.nbd.server.RawNbdClient.SimpleReply;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NBD_OPT_STARTTLS on a TLS-required server, with a JDK TLS client over the raw connection. */
class NbdTlsTest {

    @TempDir
    static Path certificates;
    private static Vertx vertx;
    private static NbdServer server;

    @BeforeAll
    static void startServer() throws Exception {
        vertx = Vertx.vertx();
        NbdServerConfig config = NbdServerConfig.defaults("127.0.0.1", 0)
                .withTls(TestCertificates.selfSigned(certificates, true));
        server = new NbdServer(vertx, config, FixedExportCatalog.of("disk", "", new MemoryBlockDevice(1 << 20)));
        server.start().join();
    }

    @AfterAll
    static void stopServer() {
        server.close();
        vertx.close().await();
    }

    @Test
    void unreadableCertificateFailsTheStartWithAClearMessage(@TempDir Path dir) throws Exception {
        Path certificate = java.nio.file.Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        Path key = java.nio.file.Files.writeString(dir.resolve("key.pem"), "not a key");
        NbdServerConfig config = NbdServerConfig.defaults("127.0.0.1", 0).withTls(NbdTlsConfig.of(certificate, key, false));
        try (NbdServer broken = new NbdServer(vertx, config, FixedExportCatalog.of("disk", "", new MemoryBlockDevice(4096)))) {
            java.util.concurrent.CompletionException failure =
                    assertThrows(java.util.concurrent.CompletionException.class, () -> broken.start().join());
            assertTrue(failure.getCause().getMessage().contains("cannot load NBD TLS certificate"),
                    failure.getCause().getMessage());
            assertFalse(broken.isListening());
        }
        assertThrows(IllegalArgumentException.class, () -> NbdTlsConfig.of(dir.resolve("missing.pem"), key, true));
    }

    @Test
    void optionsBeforeStartTlsAreRefusedOnATlsOnlyServer() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(server.actualPort())) {
            assertEquals(REP_ERR_TLS_REQD, client.request(OPT_LIST, Unpooled.EMPTY_BUFFER).get(0).type());
            assertEquals(REP_ERR_TLS_REQD, client.infoOrGo(OPT_GO, "disk").get(0).type());
            client.sendOption(OPT_EXPORT_NAME, Unpooled.copiedBuffer("disk", StandardCharsets.UTF_8));
            assertTrue(client.isClosedByServer());
        }
    }

    @Test
    void startTlsThenGoServesRequestsOverTls() throws Exception {
        try (RawNbdClient client = RawNbdClient.handshake(server.actualPort())) {
            assertEquals(REP_ERR_INVALID, client.request(OPT_STARTTLS, Unpooled.wrappedBuffer(new byte[1])).get(0).type());
            assertEquals(REP_ACK, client.request(OPT_STARTTLS, Unpooled.EMPTY_BUFFER).get(0).type());
            client.startTls(TestCertificates.trustingClientContext());
            assertEquals(REP_ERR_INVALID, client.request(OPT_STARTTLS, Unpooled.EMPTY_BUFFER).get(0).type());
            client.go("disk");
            byte[] data = NbdServerTest.pattern(4096, 5);
            client.request(0, CMD_WRITE, 1, 0, data.length, data);
            assertEquals(new SimpleReply(0, 1), client.readSimpleReply());
            client.request(0, CMD_READ, 2, 0, data.length, null);
            assertEquals(new SimpleReply(0, 2), client.readSimpleReply());
            assertArrayEquals(data, client.readBytes(data.length));
        }
    }
}
