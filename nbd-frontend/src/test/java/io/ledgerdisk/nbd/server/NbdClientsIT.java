package io.ledgerdisk.nbd.server;

import static org.junit.jupiter.api.Assertions.*;

import io.ledgerdisk.nbd.device.FixedExportCatalog;
import io.ledgerdisk.nbd.device.MemoryBlockDevice;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
                .add("map", "", new MemoryBlockDevice(DISK_SIZE))
                .add("fio", "", new MemoryBlockDevice(DISK_SIZE))
                .add("strict", "", new MemoryBlockDevice(DISK_SIZE))
                .add("ext4", "", new MemoryBlockDevice(DISK_SIZE))
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

    @Test
    void nbdshBadRequestsFailWhileASecondConnectionKeepsWorking() throws Exception {
        // libnbd checks requests itself; strict mode 0 lets the bad ones reach the server.
        String script = String.join("\n",
                "import errno",
                "uri = '" + base + "strict'",
                "h.set_strict_mode(0)",
                "h2 = nbd.NBD()",
                "h2.connect_uri(uri)",
                "ro = nbd.NBD()",
                "ro.set_strict_mode(0)",
                "ro.connect_uri('" + base + "ro')",
                "size = h.get_size()",
                "def expect(errnum, call):",
                "    try:",
                "        call()",
                "    except nbd.Error as e:",
                "        assert e.errnum == errnum, (e.string, e.errnum, errnum)",
                "        return",
                "    raise AssertionError('no error, expected %d' % errnum)",
                "data = bytes(range(256)) * 16",
                "expect(errno.EINVAL, lambda: h.pread(4096, size - 512))",
                "h2.pwrite(data, 0)",
                "expect(errno.ENOSPC, lambda: h.pwrite(data, size - 1024))",
                "assert h2.pread(4096, 0) == data",
                "expect(errno.EINVAL, lambda: h.pread(512, 0, flags=1 << 9))",
                "expect(errno.EINVAL, lambda: h.trim(4096, size))",
                "expect(errno.EINVAL, lambda: h.zero(4096, 0, flags=1 << 12))",
                "expect(errno.EPERM, lambda: ro.pwrite(data, 0))",
                "expect(errno.EPERM, lambda: ro.trim(4096, 0))",
                "h2.pwrite(data[::-1], 8192, flags=nbd.CMD_FLAG_FUA)",
                "h2.flush()",
                // CAN_MULTI_CONN: after the other connection's flush, this one sees the write.
                "assert h.pread(4096, 8192) == data[::-1]",
                "assert h.pread(4096, 0) == data",
                "h2.shutdown()",
                "ro.shutdown()",
                "print('nbdsh checks passed')");
        String output = ExternalCommand.succeed(List.of("nbdsh", "-u", base + "strict", "-c", script), 60);
        assertTrue(output.contains("nbdsh checks passed"), output);
    }

    @Test
    void qemuImgConvertCompareAndNbdcopyRoundTrip(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("source.img");
        byte[] image = new byte[(int) DISK_SIZE];
        Random random = new Random(42);
        // Data islands between runs of zeroes, so the copy tools exercise both data and holes.
        for (int start = 0; start < image.length; start += 8 * 1024 * 1024) {
            byte[] island = new byte[1024 * 1024 + 512];
            random.nextBytes(island);
            System.arraycopy(island, 0, image, start + 4096, island.length);
        }
        Files.write(source, image);
        String uri = base + "spare";
        ExternalCommand.succeed(List.of("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw",
                source.toString(), uri), 120);
        String compared = ExternalCommand.succeed(List.of("qemu-img", "compare", "-f", "raw", "-F", "raw",
                source.toString(), uri), 120);
        assertTrue(compared.contains("Images are identical"), compared);

        Path copy = dir.resolve("copy.img");
        ExternalCommand.succeed(List.of("nbdcopy", "--connections=4", uri, copy.toString()), 120);
        assertEquals(-1L, Files.mismatch(source, copy), "nbdcopy output differs from the source");
    }

    @Test
    void nbdinfoMapShowsHolesAfterTrim() throws Exception {
        String uri = base + "map";
        ExternalCommand.succeed(List.of("qemu-io", "-f", "raw", uri,
                "-c", "write -P 0x5a 0 4M", "-c", "discard 1M 2M", "-c", "write -z 3M 512k"), 60);
        String map = ExternalCommand.succeed(List.of("nbdinfo", "--map", uri), 30);
        List<String> lines = map.lines().map(String::trim).map(line -> line.replaceAll("\\s+", " ")).toList();
        // The zeroed range joins the trimmed one: MemoryBlockDevice drops zeroed pages.
        assertEquals(List.of(
                "0 1048576 0 data",
                "1048576 2621440 3 hole,zero",
                "3670016 524288 0 data",
                "4194304 62914560 3 hole,zero"), lines, map);
    }

    @Test
    void fioVerifiesRandomWritesWithCrc32c(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("fio.txt");
        ExternalCommand.succeed(List.of("fio", "--name=verify", "--ioengine=nbd", "--uri=" + base + "fio",
                "--rw=randwrite", "--bs=4k", "--size=16M", "--iodepth=16", "--verify=crc32c",
                "--do_verify=1", "--verify_fatal=1", "--output=" + report), 120);
        String output = Files.readString(report);
        assertTrue(output.contains("err= 0"), output);
        assertFalse(output.contains("verify:") && output.contains("bad"), output);
    }

    @Test
    void nbdinfoNegotiatesTlsWithStartTls(@TempDir Path dir) throws Exception {
        NbdServerConfig config = NbdServerConfig.defaults("127.0.0.1", 0)
                .withTls(TestCertificates.selfSigned(dir, false));
        try (NbdServer tlsServer = new NbdServer(vertx, config,
                FixedExportCatalog.of("secure", "TLS export", new MemoryBlockDevice(DISK_SIZE)))) {
            tlsServer.start().join();
            String uri = "nbds://127.0.0.1:" + tlsServer.actualPort() + "/secure?tls-verify-peer=false";
            String output = ExternalCommand.succeed(List.of("nbdinfo", uri), 60);
            assertTrue(output.contains("newstyle-fixed with TLS"), output);
            assertTrue(output.contains("export-size: " + DISK_SIZE), output);
            // Without TLS the optional mode still serves the export.
            String plain = ExternalCommand.succeed(List.of("nbdinfo",
                    "nbd://127.0.0.1:" + tlsServer.actualPort() + "/secure"), 60);
            assertTrue(plain.contains("without TLS"), plain);
        }
    }

    @Test
    void ext4OnNbdfuseSurvivesMkfsWritesAndFsck(@TempDir Path dir) throws Exception {
        Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
        Path image = mountPoint.resolve("nbd");
        Process fuse = new ProcessBuilder("nbdfuse", image.toString(), base + "ext4")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nbdfuse.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.exists(image) && System.nanoTime() < deadline && fuse.isAlive()) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(image), () -> "nbdfuse did not expose the export: " + readLog(dir));
            ExternalCommand.succeed(List.of("mkfs.ext4", "-q", "-F", "-E", "discard", image.toString()), 120);
            Path payload = dir.resolve("payload.bin");
            byte[] bytes = new byte[3 * 1024 * 1024 + 123];
            new Random(7).nextBytes(bytes);
            Files.write(payload, bytes);
            ExternalCommand.succeed(List.of("debugfs", "-w", "-R", "write " + payload + " payload.bin",
                    image.toString()), 60);
            ExternalCommand.succeed(List.of("e2fsck", "-fn", image.toString()), 120);
            Path back = dir.resolve("back.bin");
            ExternalCommand.succeed(List.of("debugfs", "-R", "dump payload.bin " + back, image.toString()), 60);
            assertEquals(-1L, Files.mismatch(payload, back), "file read back through ext4 differs");
        } finally {
            ExternalCommand.run(List.of("fusermount3", "-u", mountPoint.toString()), 30);
            if (!fuse.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                fuse.destroyForcibly().waitFor();
            }
        }
    }

    private static String readLog(Path dir) {
        try {
            return Files.readString(dir.resolve("nbdfuse.log"));
        } catch (java.io.IOException e) {
            return "(no nbdfuse log: " + e + ")";
        }
    }
}
