package io.ledgerdisk.journal.bookie;

import io.ledgerdisk.journal.Durability;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.bookkeeper.bookie.InterleavedLedgerStorage;
import org.apache.bookkeeper.client.BookKeeper;
import org.apache.bookkeeper.client.BookKeeperAdmin;
import org.apache.bookkeeper.conf.ClientConfiguration;
import org.apache.bookkeeper.conf.ServerConfiguration;
import org.apache.bookkeeper.server.EmbeddedServer;
import org.apache.bookkeeper.server.conf.BookieConfiguration;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper (in-process, as BookKeeper's metadata store) plus N bookies, all under one data
 * directory: the embedded single-machine mode's BookKeeper. Start blocks until every part
 * serves. Thread-safe.
 *
 * <p>Layout under the data directory:
 *
 * <pre>
 * cluster.properties     ports chosen on the first start, and whether the cluster is initialised
 * zookeeper/             ZooKeeper snapshots and transaction log (fsynced: forceSync default)
 * bookie-N/journal       bookie N's journal (fsynced before an add is acknowledged)
 * bookie-N/ledgers       bookie N's entry logs and index
 * </pre>
 *
 * <p>A bookie's identity (address:port) is written into every ledger's metadata and into its
 * cookie, so ports are chosen once, persisted, and reused on every later start.
 */
public final class LocalBookKeeperCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBookKeeperCluster.class);

    /** ZooKeeper tick; sessions may last 2..20 ticks. Short, so a killed bookie's registration expires soon. */
    private static final int ZK_TICK_MILLIS = 500;
    /**
     * Bookie and client ZooKeeper session timeout. After a {@code kill -9} a restarted bookie waits
     * for its previous session to expire before it registers again, so this bounds restart time.
     */
    private static final int ZK_SESSION_MILLIS = 6_000;
    private static final int JOURNAL_PREALLOC_MB = 16;

    private final Path dataDir;
    private final String host;
    private final ClusterPorts ports;
    private final ZooKeeperServer zooKeeper;
    private final ServerCnxnFactory zooKeeperConnections;
    private final EmbeddedServer[] bookies;
    private final List<BookKeeper> clients = new CopyOnWriteArrayList<>();
    private boolean closed;

    private LocalBookKeeperCluster(Path dataDir, String host, ClusterPorts ports, ZooKeeperServer zooKeeper,
            ServerCnxnFactory zooKeeperConnections, int bookieCount) {
        this.dataDir = dataDir;
        this.host = host;
        this.ports = ports;
        this.zooKeeper = zooKeeper;
        this.zooKeeperConnections = zooKeeperConnections;
        this.bookies = new EmbeddedServer[bookieCount];
    }

    /**
     * Starts ZooKeeper and {@code bookies} bookies under {@code dataDir} (created if absent),
     * initialising BookKeeper's metadata on the first start only. Blocks until all serve.
     *
     * @param host the address everything listens on and bookies advertise, e.g. "127.0.0.1"
     */
    public static LocalBookKeeperCluster start(Path dataDir, int bookies, String host) throws Exception {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        if (bookies < 1) {
            throw new IllegalArgumentException("a BookKeeper cluster needs at least one bookie, got " + bookies);
        }
        Files.createDirectories(dataDir);
        ClusterPorts ports = ClusterPorts.loadOrAssign(dataDir, host, bookies);

        File zkDir = dataDir.resolve("zookeeper").toFile();
        ZooKeeperServer zooKeeper = new ZooKeeperServer(zkDir, zkDir, ZK_TICK_MILLIS);
        ServerCnxnFactory connections =
                ServerCnxnFactory.createFactory(new InetSocketAddress(host, ports.zooKeeperPort()), 200);
        connections.startup(zooKeeper);

        LocalBookKeeperCluster cluster =
                new LocalBookKeeperCluster(dataDir, host, ports, zooKeeper, connections, bookies);
        try {
            if (!ports.initialized()) {
                ServerConfiguration conf = cluster.bookieConfiguration(0);
                if (!BookKeeperAdmin.initNewCluster(conf)) {
                    throw new IllegalStateException("BookKeeper metadata already exists under "
                            + cluster.metadataServiceUri() + " but " + dataDir
                            + " was never initialised; is another cluster using ZooKeeper port "
                            + ports.zooKeeperPort() + "?");
                }
                ports.markInitialized();
            } else {
                cluster.forgetStaleBookieRegistrations();
            }
            for (int i = 0; i < bookies; i++) {
                cluster.startBookie(i);
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        LOG.info("BookKeeper cluster up: {} with {} bookies under {}", cluster.metadataServiceUri(), bookies, dataDir);
        return cluster;
    }

    /** The URI clients and bookies use to find the metadata store, e.g. {@code zk+null://127.0.0.1:PORT/ledgers}. */
    public String metadataServiceUri() {
        return "zk+null://" + host + ":" + ports.zooKeeperPort() + "/ledgers";
    }

    /**
     * A new BookKeeper client of this cluster; closed by {@link #close()} if the caller has not
     * closed it first. Ensemble changes are delayed while the ack quorum still answers, so
     * writes go on when one bookie of a full three-bookie ensemble is lost. Speaks BookKeeper's
     * protobuf (v3) protocol, which every operation needs; volume logs use
     * {@link #newClient(Durability)}.
     */
    public BookKeeper newClient() throws Exception {
        return newClient(false);
    }

    /**
     * A new client for volume logs of this durability. {@code IMMEDIATE} logs only add, read and
     * fence, which BookKeeper's binary (v2) protocol carries without protobuf: a bookie then hands
     * an add's bytes on without parsing them into a message (protobuf parsing was a tenth of all
     * CPU at queue depth 32, 2026-12-03). {@code LAZY} logs need {@code DEFERRED_SYNC} and
     * {@code force}, which exist only in v3. Ledgers written through either are read by both.
     */
    public BookKeeper newClient(Durability durability) throws Exception {
        return newClient(durability == Durability.IMMEDIATE);
    }

    private BookKeeper newClient(boolean binaryProtocol) throws Exception {
        ClientConfiguration conf = new ClientConfiguration();
        conf.setMetadataServiceUri(metadataServiceUri());
        conf.setZkTimeout(ZK_SESSION_MILLIS);
        conf.setDelayEnsembleChange(true);
        conf.setNumWorkerThreads(2);
        conf.setNumIOThreads(2);
        conf.setUseV2WireProtocol(binaryProtocol);
        BookKeeper client = new BookKeeper(conf);
        clients.add(client);
        return client;
    }

    /** How many bookies this cluster has, running or stopped. */
    public int bookieCount() {
        return bookies.length;
    }

    /** The directory everything is stored under. */
    public Path dataDir() {
        return dataDir;
    }

    /** Whether ZooKeeper is serving and every bookie is running. */
    public synchronized boolean isHealthy() {
        if (closed || !zooKeeper.isRunning()) {
            return false;
        }
        for (EmbeddedServer bookie : bookies) {
            if (bookie == null || !bookie.getBookieService().getServer().isRunning()) {
                return false;
            }
        }
        return true;
    }

    /** Whether bookie {@code index} is running. */
    public synchronized boolean isBookieRunning(int index) {
        EmbeddedServer bookie = bookies[checkIndex(index)];
        return bookie != null && bookie.getBookieService().getServer().isRunning();
    }

    /** Stops bookie {@code index} (its data stays); a no-op if it is stopped. For bookie-loss tests. */
    public synchronized void stopBookie(int index) {
        EmbeddedServer bookie = bookies[checkIndex(index)];
        if (bookie != null) {
            bookies[index] = null;
            bookie.getLifecycleComponentStack().close();
            LOG.info("bookie {} stopped", index);
        }
    }

    /** Starts bookie {@code index} on its persisted port and directories; a no-op if it runs. Blocks until it serves. */
    public synchronized void startBookie(int index) throws Exception {
        if (closed) {
            throw new IllegalStateException("the cluster under " + dataDir + " is closed");
        }
        if (bookies[checkIndex(index)] != null) {
            return;
        }
        ServerConfiguration conf = bookieConfiguration(index);
        // A kill -9 may have left a torn, never-acknowledged record that replay would store.
        JournalTailRepair.repair(Path.of(conf.getJournalDirNames()[0]));
        EmbeddedServer bookie = EmbeddedServer.builder(new BookieConfiguration(conf)).build();
        bookie.getLifecycleComponentStack().start();
        // A bookie that cannot register in ZooKeeper shuts itself down inside start() without
        // throwing; say so instead of reporting a bookie that is not there.
        if (!bookie.getBookieService().getServer().isRunning()) {
            bookie.getLifecycleComponentStack().close();
            throw new IllegalStateException("bookie " + index + " on " + host + ":" + ports.bookiePort(index)
                    + " stopped during start (see the bookie's log: usually its ZooKeeper registration failed)");
        }
        bookies[index] = bookie;
        LOG.info("bookie {} serving on {}:{}", index, host, ports.bookiePort(index));
    }

    /**
     * Deletes bookie registrations left by a previous incarnation of this cluster. ZooKeeper
     * restores the ephemeral registration nodes of sessions that died with a killed JVM and
     * keeps them until those sessions time out; a bookie that finds its own address registered
     * waits for that and may give up. ZooKeeper was started by this call a moment ago, so every
     * session it knows belongs to a dead process.
     */
    private void forgetStaleBookieRegistrations() throws Exception {
        String available = "/ledgers/available";
        try (ZooKeeper zk = new ZooKeeper(host + ":" + ports.zooKeeperPort(), ZK_SESSION_MILLIS, event -> { })) {
            for (String parent : List.of(available, available + "/readonly")) {
                List<String> children;
                try {
                    children = zk.getChildren(parent, false);
                } catch (KeeperException.NoNodeException e) {
                    continue;
                }
                for (String child : children) {
                    String path = parent + "/" + child;
                    Stat stat = zk.exists(path, false);
                    if (stat != null && stat.getEphemeralOwner() != 0) {
                        try {
                            zk.delete(path, -1);
                            LOG.info("removed stale bookie registration {}", path);
                        } catch (KeeperException.NoNodeException e) {
                            LOG.debug("stale bookie registration {} expired meanwhile", path);
                        }
                    }
                }
            }
        }
    }

    /** Stops every client made by {@link #newClient()}, every bookie and ZooKeeper. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Exception> failures = new ArrayList<>();
        for (BookKeeper client : clients) {
            try {
                client.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(e);
            } catch (Exception e) {
                failures.add(e);
            }
        }
        for (int i = 0; i < bookies.length; i++) {
            try {
                stopBookieQuietly(i);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        zooKeeperConnections.shutdown();
        zooKeeper.shutdown();
        try {
            if (zooKeeper.getZKDatabase() != null) {
                zooKeeper.getZKDatabase().close();
            }
        } catch (IOException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            IllegalStateException error = new IllegalStateException(
                    "the BookKeeper cluster under " + dataDir + " did not stop cleanly");
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    private void stopBookieQuietly(int index) {
        EmbeddedServer bookie = bookies[index];
        bookies[index] = null;
        if (bookie != null) {
            bookie.getLifecycleComponentStack().close();
        }
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= bookies.length) {
            throw new IndexOutOfBoundsException("bookie " + index + " does not exist; the cluster has "
                    + bookies.length + " bookies");
        }
        return index;
    }

    /** Settings measured in STACK.md: no group-commit wait, fsync on, no RocksDB. */
    private ServerConfiguration bookieConfiguration(int index) throws IOException {
        Path bookieDir = dataDir.resolve("bookie-" + index);
        Path journal = Files.createDirectories(bookieDir.resolve("journal"));
        Path ledgers = Files.createDirectories(bookieDir.resolve("ledgers"));
        ServerConfiguration conf = new ServerConfiguration();
        conf.setMetadataServiceUri(metadataServiceUri());
        conf.setZkTimeout(ZK_SESSION_MILLIS);
        conf.setBookiePort(ports.bookiePort(index));
        conf.setAllowLoopback(true);
        conf.setAdvertisedAddress(host);
        conf.setJournalDirName(journal.toString());
        conf.setLedgerDirNames(new String[] {ledgers.toString()});
        conf.setHttpServerEnabled(false);
        conf.setStatisticsEnabled(false);
        // The default 2 ms group-commit wait, not fsync, dominates add latency (STACK.md).
        conf.setJournalFlushWhenQueueEmpty(true);
        conf.setJournalMaxGroupWaitMSec(0);
        conf.setJournalSyncData(true);
        // Journal records are written over zeros, not into holes: an fdatasync then has no block
        // allocation to commit (STACK.md). The journal marks a preallocation step every 16 MiB
        // and ZeroFillingJournalChannelProvider zero-fills up to it, and 16 MiB past the last record.
        conf.setJournalChannelProvider(ZeroFillingJournalChannelProvider.class.getName());
        conf.setProperty("journalPreAllocSizeMB", JOURNAL_PREALLOC_MB);
        // Entries go straight into the entry log, indexed in files. SortedLedgerStorage first sorts
        // them in a memtable, which only helps reads spanning ledgers; ours are replays of one
        // ledger at a time. QD32 4k writes over NBD: 6.2-8.1k IOPS in six runs against 4.8-7.1k
        // (6.0k typical) in eleven with the memtable (2026-12-03). DbLedgerStorage needs RocksDB.
        conf.setLedgerStorageClass(InterleavedLedgerStorage.class.getName());
        // Small footprint: several bookies share one machine with the rest of the appliance.
        conf.setServerNumIOThreads(2);
        conf.setNumAddWorkerThreads(1);
        conf.setNumReadWorkerThreads(2);
        conf.setNumJournalCallbackThreads(1);
        conf.setProperty("numHighPriorityWorkerThreads", 1);
        conf.setDiskUsageThreshold(0.98f);
        conf.setDiskUsageWarnThreshold(0.95f);
        return conf;
    }
}
