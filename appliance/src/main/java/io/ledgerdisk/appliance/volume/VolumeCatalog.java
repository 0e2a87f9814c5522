package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.chunk.manifest.Manifest;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.chunk.manifest.ManifestStore;
import io.ledgerdisk.journal.JournalConfig;
import io.ledgerdisk.journal.LedgerCatalog;
import io.ledgerdisk.journal.VolumeLog;
import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.SnapshotRecord;
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
 * memtable; the NBD server looks exports up here. A volume's snapshots are served beside it as
 * read-only exports {@code VOL@SNAP} ({@link SnapshotDevice}). Thread-safe.
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
    /** Read-only snapshot exports by {@code VOL@SNAP}. */
    private final ConcurrentMap<String, SnapshotDevice> snapshots = new ConcurrentHashMap<>();

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
                        engine.onFenced(() -> open.remove(volume.name(), engine));
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
        }).thenCompose(engine -> openSnapshots(info).thenApply(v -> engine));
    }

    /** Serves every snapshot of {@code info} as a read-only export {@code VOL@SNAP}. */
    private CompletableFuture<Void> openSnapshots(VolumeInfo info) {
        return CompletableFuture.allOf(info.snapshots().stream()
                .map(snapshot -> openSnapshot(info, snapshot))
                .toArray(CompletableFuture[]::new));
    }

    /** Loads the manifest a snapshot pins and serves it read-only as {@code VOL@SNAP}. */
    public CompletableFuture<SnapshotDevice> openSnapshot(VolumeInfo info, SnapshotRecord snapshot) {
        VolumeRecord volume = info.volume();
        return pinnedManifest(info, snapshot).thenApply(manifest -> {
            SnapshotDevice device = new SnapshotDevice(exportName(volume.name(), snapshot.name()), volume.sizeBytes(), manifest, chunks);
            snapshots.put(device.exportName(), device);
            return device;
        });
    }

    /** The manifest a snapshot pins (version 0: the empty manifest). */
    public CompletableFuture<Manifest> pinnedManifest(VolumeInfo info, SnapshotRecord snapshot) {
        if (snapshot.manifestVersion() == 0) {
            return CompletableFuture.completedFuture(Manifest.empty(info.volume().id(), info.volume().createdMicros()));
        }
        ManifestVersion pinned = info.manifest(snapshot.manifestVersion()).orElseThrow(() -> new IllegalStateException(
                "snapshot " + exportName(info.volume().name(), snapshot.name()) + " pins manifest v" + snapshot.manifestVersion()
                        + " which is not in the volume's history"));
        return manifests.load(ManifestLocation.decode(pinned));
    }

    /** Stops serving a snapshot export. */
    public void closeSnapshot(String volume, String snapshot) {
        snapshots.remove(exportName(volume, snapshot));
    }

    /** The export name of a snapshot: {@code VOL@SNAP}. */
    public static String exportName(String volume, String snapshot) {
        return volume + "@" + snapshot;
    }

    /** Where manifests are stored (clones and restores save their first manifest there). */
    public ManifestStore manifests() {
        return manifests;
    }

    /** Reads chunks of any manifest. */
    public ManifestReader chunks() {
        return chunks;
    }

    /** The BookKeeper client volumes' logs are read with. */
    public BookKeeper bookKeeper() {
        return bookKeeper;
    }

    /** The journal settings (digest, password) ledgers are opened with. */
    public JournalConfig journalConfig() {
        return journalConfig;
    }

    /**
     * The ledgers that may hold records after {@code covered}: a ledger whose successor starts at
     * or before {@code covered + 1} holds only folded records. The last ledger is always kept:
     * opening it with recovery is what fences a previous writer.
     */
    static List<Long> uncoveredLedgers(List<LedgerRef> ledgers, long covered) {
        List<Long> folded = coveredLedgers(ledgers, covered);
        return ledgers.stream().map(LedgerRef::ledgerId).filter(id -> !folded.contains(id)).toList();
    }

    /**
     * The ledgers, oldest first, whose every record is at or below {@code covered}: a ledger is
     * fully covered when its successor starts at or before {@code covered + 1}. The newest ledger
     * is never among them.
     */
    static List<Long> coveredLedgers(List<LedgerRef> ledgers, long covered) {
        List<Long> folded = new ArrayList<>();
        for (int i = 0; i + 1 < ledgers.size() && ledgers.get(i + 1).firstSequence() <= covered + 1; i++) {
            folded.add(ledgers.get(i).ledgerId());
        }
        return folded;
    }

    /**
     * Deletes ledgers the metadata group no longer lists (a deleted volume's, or folded ones out
     * of retention). A failure only leaks space, so it is logged, once per ledger.
     */
    public void deleteLedgers(String volume, List<Long> ledgerIds, String why) {
        for (long id : ledgerIds) {
            bookKeeper.newDeleteLedgerOp().withLedgerId(id).execute().whenComplete((ignored, failure) -> {
                if (failure != null) {
                    LOG.warn("ledger {} of volume {} ({}) could not be deleted: {}", id, volume, why, failure.getMessage());
                }
            });
        }
        if (!ledgerIds.isEmpty()) {
            LOG.info("volume {}: deleting {} ledger(s) {} ({})", volume, ledgerIds.size(), ledgerIds, why);
        }
    }

    /** Stops serving a volume; completes once its outstanding appends are answered and its ledger is closed. */
    public CompletableFuture<Void> closeAsync(String name) {
        VolumeEngine engine = open.remove(name);
        return engine == null ? CompletableFuture.completedFuture(null) : engine.closeAsync();
    }

    /** Stops serving a volume and waits (blocks) for its log to close; returns the engine it closed, if it was open. */
    public Optional<VolumeEngine> close(String name) {
        VolumeEngine engine = open.remove(name);
        if (engine != null) {
            engine.close();
        }
        snapshots.keySet().removeIf(export -> export.startsWith(name + "@"));
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
        List<ExportSummary> exports = new ArrayList<>(open.values().stream()
                .sorted(Comparator.comparing(VolumeEngine::name))
                .map(e -> new ExportSummary(e.name(), "Ledgerdisk volume " + e.name() + " (" + ByteSize.format(e.sizeBytes()) + ")"))
                .toList());
        snapshots.values().stream()
                .sorted(Comparator.comparing(SnapshotDevice::exportName))
                .map(s -> new ExportSummary(s.exportName(), "Ledgerdisk snapshot " + s.exportName() + " (read-only, "
                        + ByteSize.format(s.sizeBytes()) + ")"))
                .forEach(exports::add);
        return exports;
    }

    @Override
    public Optional<BlockDevice> find(String exportName) {
        if (exportName.indexOf('@') >= 0) {
            return Optional.ofNullable(snapshots.get(exportName));
        }
        return Optional.ofNullable(open.get(exportName));
    }

    @Override
    public void close() {
        for (String name : List.copyOf(open.keySet())) {
            close(name);
        }
    }
}
