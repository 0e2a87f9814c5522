package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.chunk.manifest.ManifestStore;
import io.ledgerdisk.journal.JournalConfig;
import io.ledgerdisk.journal.LedgerCatalog;
import io.ledgerdisk.journal.VolumeLog;
import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.VolumeInfo;
import io.ledgerdisk.meta.VolumeRecord;
import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.ExportCatalog;
import io.ledgerdisk.nbd.device.ExportSummary;
import io.ledgerdisk.web.api.ByteSize;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.bookkeeper.client.BookKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes this node serves, by name. Opening one loads its committed manifest, fences any
 * previous writer and replays the log after the manifest's covered position into a fresh
 * memtable; the NBD server looks exports up here. Thread-safe.
 */
public final class VolumeCatalog implements ExportCatalog, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeCatalog.class);

    private final BookKeeper bookKeeper;
    private final JournalConfig journalConfig;
    private final LedgerCatalog ledgerCatalog;
    private final ManifestStore manifests;
    private final ManifestReader chunks;
    private final long maxBufferedBytesPerVolume;
    private final ConcurrentMap<String, VolumeEngine> open = new ConcurrentHashMap<>();

    public VolumeCatalog(BookKeeper bookKeeper, JournalConfig journalConfig, LedgerCatalog ledgerCatalog, ManifestStore manifests,
            ManifestReader chunks, long maxBufferedBytesPerVolume) {
        this.bookKeeper = bookKeeper;
        this.journalConfig = journalConfig;
        this.ledgerCatalog = ledgerCatalog;
        this.manifests = manifests;
        this.chunks = chunks;
        this.maxBufferedBytesPerVolume = maxBufferedBytesPerVolume;
    }

    /** Opens a volume just created (no manifest yet). */
    public CompletableFuture<VolumeEngine> open(VolumeRecord created) {
        return open(new VolumeInfo(created, null, -1, List.of()));
    }

    /** Opens a volume: loads its manifest, fences any previous writer, replays the rest of its log, starts a new ledger. */
    public CompletableFuture<VolumeEngine> open(VolumeInfo info) {
        VolumeRecord volume = info.volume();
        long started = System.nanoTime();
        CompletableFuture<Manifest> manifest = info.manifestHead()
                .map(head -> manifests.load(ManifestLocation.decode(head)))
                .orElseGet(() -> CompletableFuture.completedFuture(Manifest.empty(volume.id(), volume.createdMicros())));
        return manifest.thenCompose(base -> {
            VolumeLayers layers = new VolumeLayers(base, maxBufferedBytesPerVolume);
            List<Long> ledgers = uncoveredLedgers(volume.ledgers(), base.coveredSequence());
            return VolumeLog.open(bookKeeper, journalConfig, volume.id(), ledgers, base.coveredSequence(), ledgerCatalog,
                            record -> VolumeEngine.replay(layers, record))
                    .thenApply(log -> {
                        VolumeEngine engine = new VolumeEngine(volume.name(), volume.id(), volume.sizeBytes(), log, layers, chunks,
                                journalConfig);
                        VolumeEngine previous = open.put(volume.name(), engine);
                        if (previous != null) {
                            previous.close();
                        }
                        LOG.info("volume {} ({}) open: manifest v{} covers sequence {}, replayed {} ledger(s) up to {} in {} ms, {} in memory",
                                volume.name(), ByteSize.format(volume.sizeBytes()), base.version(), base.coveredSequence(),
                                ledgers.size(), log.lastSequence(), (System.nanoTime() - started) / 1_000_000,
                                ByteSize.format(layers.bufferedBytes()));
                        return engine;
                    });
        });
    }

    /**
     * The ledgers that may hold records after {@code covered}: a ledger whose successor starts at
     * or before {@code covered + 1} holds only folded records. The last ledger is always kept:
     * opening it with recovery is what fences a previous writer.
     */
    static List<Long> uncoveredLedgers(List<LedgerRef> ledgers, long covered) {
        List<Long> needed = new ArrayList<>();
        for (int i = 0; i < ledgers.size(); i++) {
            boolean last = i == ledgers.size() - 1;
            if (last || ledgers.get(i + 1).firstSequence() > covered + 1) {
                needed.add(ledgers.get(i).ledgerId());
            }
        }
        return needed;
    }

    /** Stops serving a volume; returns the engine it closed, if it was open. */
    public Optional<VolumeEngine> close(String name) {
        VolumeEngine engine = open.remove(name);
        if (engine != null) {
            engine.close();
        }
        return Optional.ofNullable(engine);
    }

    public Optional<VolumeEngine> engine(String name) {
        return Optional.ofNullable(open.get(name));
    }

    public Collection<VolumeEngine> engines() {
        return open.values();
    }

    @Override
    public List<ExportSummary> list() {
        return open.values().stream()
                .sorted(Comparator.comparing(VolumeEngine::name))
                .map(e -> new ExportSummary(e.name(), "Ledgerdisk volume " + e.name() + " (" + ByteSize.format(e.sizeBytes()) + ")"))
                .toList();
    }

    @Override
    public Optional<BlockDevice> find(String exportName) {
        return Optional.ofNullable(open.get(exportName));
    }

    @Override
    public void close() {
        for (String name : List.copyOf(open.keySet())) {
            close(name);
        }
    }
}
