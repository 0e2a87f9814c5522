package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.journal.JournalConfig;
import io.ledgerdisk.journal.LedgerCatalog;
import io.ledgerdisk.journal.VolumeLog;
import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.VolumeRecord;
import io.ledgerdisk.nbd.device.BlockDevice;
import io.ledgerdisk.nbd.device.ExportCatalog;
import io.ledgerdisk.nbd.device.ExportSummary;
import io.ledgerdisk.web.api.ByteSize;
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
 * The volumes this node serves, by name: opening one replays its log into a fresh memtable;
 * the NBD server looks exports up here. Thread-safe.
 */
public final class VolumeCatalog implements ExportCatalog, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeCatalog.class);

    private final BookKeeper bookKeeper;
    private final JournalConfig journalConfig;
    private final LedgerCatalog ledgerCatalog;
    private final ConcurrentMap<String, VolumeEngine> open = new ConcurrentHashMap<>();

    public VolumeCatalog(BookKeeper bookKeeper, JournalConfig journalConfig, LedgerCatalog ledgerCatalog) {
        this.bookKeeper = bookKeeper;
        this.journalConfig = journalConfig;
        this.ledgerCatalog = ledgerCatalog;
    }

    /** Opens a volume: fences any previous writer, replays its ledgers, starts a new ledger. */
    public CompletableFuture<VolumeEngine> open(VolumeRecord volume) {
        Memtable memtable = new Memtable();
        List<Long> ledgers = volume.ledgers().stream().map(LedgerRef::ledgerId).toList();
        long started = System.nanoTime();
        return VolumeLog.open(bookKeeper, journalConfig, volume.id(), ledgers, ledgerCatalog,
                        record -> VolumeEngine.replay(memtable, record))
                .thenApply(log -> {
                    VolumeEngine engine = new VolumeEngine(volume.name(), volume.id(), volume.sizeBytes(), log, memtable,
                            journalConfig);
                    VolumeEngine previous = open.put(volume.name(), engine);
                    if (previous != null) {
                        previous.close();
                    }
                    LOG.info("volume {} ({}) open: replayed {} ledger(s) up to sequence {} in {} ms, {} in memory",
                            volume.name(), ByteSize.format(volume.sizeBytes()), ledgers.size(), log.lastSequence(),
                            (System.nanoTime() - started) / 1_000_000, ByteSize.format(memtable.dataBytes()));
                    return engine;
                });
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
