package io.ledgerdisk.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link LedgerCatalog} in a file, fsynced before each call completes, so that it survives
 * {@code kill -9} as the Ratis metadata would. One line per ledger: volume, ledger, first sequence.
 */
final class FileLedgerCatalog implements LedgerCatalog {
    private final Path file;

    FileLedgerCatalog(Path file) {
        this.file = file;
    }

    @Override
    public synchronized CompletableFuture<Void> ledgerStarted(long volumeId, long ledgerId, long firstSequence,
            long createdMicros) {
        String line = volumeId + " " + ledgerId + " " + firstSequence + " " + createdMicros + "\n";
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new UncheckedIOException("cannot record ledger in " + file, e));
        }
    }

    /** The volume's ledgers in recorded order; a line cut short by a kill was never acknowledged and is skipped. */
    List<Long> ledgers(long volumeId) throws IOException {
        List<Long> ids = new ArrayList<>();
        if (!Files.exists(file)) {
            return ids;
        }
        String content = Files.readString(file, StandardCharsets.US_ASCII);
        int end = content.lastIndexOf('\n');
        if (end < 0) {
            return ids;
        }
        for (String line : content.substring(0, end).split("\n")) {
            String[] fields = line.split(" ");
            if (Long.parseLong(fields[0]) == volumeId) {
                ids.add(Long.parseLong(fields[1]));
            }
        }
        return ids;
    }
}
