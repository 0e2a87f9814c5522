package io.ledgerdisk.nbd.server;

import static org.junit.jupiter.api.Assertions.*;

import io.ledgerdisk.nbd.device.FixedExportCatalog;
import io.ledgerdisk.nbd.device.MemoryBlockDevice;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server against real NBD clients: qemu-io, qemu-img, nbdinfo, nbdsh, nbdcopy, fio. */
class NbdClientsIT {

    private static final long DISK_SIZE = 64L * 1024 * 1024;
    private static Vertx vertx;
    private static NbdServer server;
    private static MemoryBlockDevice disk;
    private static String base;

    @BeforeAll
    static void startServer() {
        vertx = Vertx.vertx();
        disk = new MemoryBlockDevice(DISK_SIZE);
        FixedExportCatalog catalog = FixedExportCatalog.builder()
                .add("disk", "scratch disk for client tests", disk)
                .add("spare", "", new MemoryBlockDevice(DISK_SIZE))
                .add("ro", "read-only", new MemoryBlockDevice(1024 * 1024, true))
                .build();
        server = new NbdServer(vertx, NbdServerConfig.defaults("127.0.0.1", 0), catalog);
        server.start().join();
        base = "nbd://127.0.0.1:" + server.actualPort() + "/";
    }

    @AfterAll
    static void stopServer() {
        server.close();
        vertx.close().await();
    }

    @Test
    void qemuIoWritesAndReadsBackAPattern() throws Exception {
        String output = ExternalCommand.succeed(List.of("qemu-io", "-f", "raw", base + "disk",
                "-c", "write -P 0xab 0 1M", "-c", "read -P 0xab 0 1M",
                "-c", "write -z 1M 1M", "-c", "read -P 0 1M 1M", "-c", "flush"), 60);
        assertFalse(output.contains("Pattern verification failed"), output);
        assertTrue(output.contains("read 1048576/1048576 bytes"), output);
    }

    @Test
    void nbdinfoDescribesTheExport() throws Exception {
        String output = ExternalCommand.succeed(List.of("nbdinfo", base + "disk"), 30);
        assertTrue(output.contains("export-size: " + DISK_SIZE), output);
        assertTrue(output.contains("can_multi_conn: true"), output);
        assertTrue(output.contains("can_flush: true"), output);
        assertTrue(output.contains("can_fua: true"), output);
        assertTrue(output.contains("can_trim: true"), output);
        assertTrue(output.contains("can_zero: true"), output);
        assertTrue(output.contains("can_fast_zero: true"), output);
        assertTrue(output.contains("can_cache: true"), output);
        assertTrue(output.contains("is_read_only: false"), output);
        assertTrue(output.contains("base:allocation"), output);
        assertTrue(output.contains("block_size_preferred: 4096"), output);

        String readOnly = ExternalCommand.succeed(List.of("nbdinfo", base + "ro"), 30);
        assertTrue(readOnly.contains("is_read_only: true"), readOnly);
    }

    @Test
    void nbdinfoListsEveryExport() throws Exception {
        String output = ExternalCommand.succeed(List.of("nbdinfo", "--list", base), 30);
        assertTrue(output.contains("export=\"disk\""), output);
        assertTrue(output.contains("description: scratch disk for client tests"), output);
        assertTrue(output.contains("export=\"spare\""), output);
        assertTrue(output.contains("export=\"ro\""), output);
    }

    @Test
    void unknownExportIsRefusedByName() throws Exception {
        ExternalCommand.Result result = ExternalCommand.run(List.of("nbdinfo", base + "missing"), 30);
        assertNotEquals(0, result.exitCode());
        // libnbd reports NBD_REP_ERR_UNKNOWN as ENOENT.
        assertTrue(result.output().contains("No such file or directory for export: missing"), result.output());
    }
}
