package io.ledgerdisk.appliance.node;

import io.ledgerdisk.appliance.volume.CompactionPolicy;
import io.ledgerdisk.appliance.volume.MetaLedgerCatalog;
import io.ledgerdisk.appliance.volume.VolumeCompactor;
import io.ledgerdisk.chunk.compaction.ChunkGarbageCollector;
import io.ledgerdisk.chunk.compaction.ChunkMerger;
import io.ledgerdisk.chunk.compaction.CompactionConfig;
import io.ledgerdisk.chunk.compaction.Compactor;
import io.ledgerdisk.chunk.manifest.ManifestReader;
import io.ledgerdisk.chunk.manifest.ManifestStore;
import io.ledgerdisk.chunk.store.ChunkStore;
import io.ledgerdisk.appliance.volume.VolumeCatalog;
import io.ledgerdisk.journal.JournalConfig;
import io.ledgerdisk.journal.bookie.LocalBookKeeperCluster;
import io.ledgerdisk.meta.MetaClient;
import io.ledgerdisk.meta.MetaPeer;
import io.ledgerdisk.meta.MetaServer;
import io.ledgerdisk.meta.MetaServerConfig;
import io.ledgerdisk.meta.VolumeRecord;
import io.ledgerdisk.nbd.server.NbdServer;
import io.ledgerdisk.nbd.server.NbdServerConfig;
import io.ledgerdisk.web.ApiServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.bookkeeper.client.BookKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded single-machine appliance: in one JVM a one-peer Ratis group (metadata),
 * ZooKeeper and N bookies (the write log), the volumes, the NBD server and the HTTP API, all
 * under one data directory.
 *
 * <p>Start order follows the dependencies (metadata, log, volumes, then the servers that
 * expose them); {@link #close()} undoes it in reverse. Data-dir layout: {@code ratis/},
 * {@code bookkeeper/}, {@code chunks/} (unless chunks live on S3), {@code node.properties},
 * {@code node.lock}.
 */
public final class DevNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevNode.class);
    /** The frame cache never takes more than this share of the heap, whatever the configuration asks. */
    private static final int FRAME_CACHE_HEAP_DIVISOR = 8;
    static final String DEMO_VOLUME = "demo";
    static final long DEMO_SIZE = 4L << 30;
    private static final Duration META_READY_TIMEOUT = Duration.ofSeconds(60);

    private static final int MAX_OPEN_CHUNKS = 4096;
    private static final int FOLD_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    private final NodeConfig config;
    private VolumeCompactor compactor;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private MetaServer metaServer;
    private LocalBookKeeperCluster bookies;
    private VolumeCatalog volumes;
    private NbdServer nbdServer;
    private ApiServer apiServer;
    private volatile boolean volumesOpen;

    private DevNode(NodeConfig config) {
        this.config = config;
    }

    /** Starts every part; blocks until the node serves. On failure, stops what it started and rethrows. */
    public static DevNode start(NodeConfig config) throws Exception {
        DevNode node = new DevNode(config);
        try {
            node.startParts();
            return node;
        } catch (Exception | Error e) {
            node.close();
            throw e;
        }
    }

    private void startParts() throws Exception {
        Path data = config.dataDir().toAbsolutePath();
        Files.createDirectories(data);
        lockDataDir(data);
        NodeState state = NodeState.load(data);

        MetaPeer self = new MetaPeer("n1", "127.0.0.1", state.metaPort());
        metaServer = MetaServer.start(new MetaServerConfig(self, List.of(self), data.resolve("ratis")));
        started.push(metaServer);
        MetaClient meta = MetaClient.connect(List.of(self));
        started.push(meta);
        awaitMetadata();

        bookies = LocalBookKeeperCluster.start(data.resolve("bookkeeper"), config.bookies(), "127.0.0.1");
        started.push(bookies);
        JournalConfig journal = JournalConfig.forBookies(config.bookies()).withDurability(config.durability());
        BookKeeper bookKeeper = bookies.newClient(journal.durability());
        started.push(bookKeeper::close);

        CompactionPolicy policy = config.compaction();
        ChunkStore chunkStore = config.chunkStore().open();
        started.push(chunkStore);
        ManifestReader chunks = new ManifestReader(chunkStore, MAX_OPEN_CHUNKS, frameCacheBytes(config));
        ManifestStore manifests = new ManifestStore(chunkStore);
        volumes = new VolumeCatalog(bookKeeper, journal, new MetaLedgerCatalog(meta), manifests, chunks, policy.maxBufferedBytes());
        started.push(volumes);
        ExecutorService foldCpu = Executors.newFixedThreadPool(FOLD_THREADS, daemon("ledgerdisk-fold"));
        started.push(foldCpu::shutdownNow);
        CompactionConfig folding = CompactionConfig.defaults().withGcGracePeriod(policy.gcGrace());
        compactor = new VolumeCompactor(meta, volumes,
                new Compactor(chunks, folding, foldCpu, DevNode::nowMicros),
                new ChunkMerger(chunks, folding, foldCpu, DevNode::nowMicros),
                manifests, chunks, new ChunkGarbageCollector(chunkStore, policy.gcGrace(), System::currentTimeMillis), policy);
        if (!state.demoCreated()) {
            if (meta.volume(DEMO_VOLUME).get(30, TimeUnit.SECONDS).isEmpty()) {
                meta.createVolume(DEMO_VOLUME, DEMO_SIZE).get(30, TimeUnit.SECONDS);
            }
            state.markDemoCreated();
        }
        List<VolumeRecord> records = meta.listVolumes().get(30, TimeUnit.SECONDS);
        CompletableFuture.allOf(records.stream()
                        .map(volume -> meta.volumeInfo(volume.name()).thenCompose(info -> volumes.open(info.orElseThrow())))
                        .toArray(CompletableFuture[]::new))
                .get(10, TimeUnit.MINUTES);
        volumesOpen = true;
        started.push(compactor.start());

        // Native epoll (its jars come with BookKeeper), as bench/nbd measures the NBD layer; Vert.x falls
        // back to NIO where it is unavailable.
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        started.push(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        nbdServer = new NbdServer(vertx, NbdServerConfig.defaults(config.nbd().host(), config.nbd().port()), volumes);
        nbdServer.start().get(30, TimeUnit.SECONDS);
        started.push(nbdServer);
        HostPort nbd = new HostPort(config.nbd().host(), nbdServer.actualPort());
        started.push(NodeMembership.start(meta, state, nbd, config, metaServer::isLeader));
        SnapshotControlPlane snapshotControl = new SnapshotControlPlane(meta, volumes, compactor, nbd);
        started.push(snapshotControl);
        apiServer = new ApiServer(vertx, config.http().host(), config.http().port(),
                new NodeControlPlane(meta, volumes, compactor, chunks, nbd, this::health),
                new ClusterControlPlane(meta, config.bookies(), config.durability()), snapshotControl);
        int httpPort = apiServer.start().get(30, TimeUnit.SECONDS);
        started.push(apiServer);

        LOG.info("Ledgerdisk is up: data in {}, {} bookie(s) (ensemble {}, write quorum {}, ack quorum {}), {} durability, {} volume(s)",
                data, config.bookies(), journal.ensembleSize(), journal.writeQuorum(), journal.ackQuorum(),
                journal.durability().name().toLowerCase(java.util.Locale.ROOT), records.size());
        LOG.info("API and web UI: http://{}:{}/  (health: /api/v1/health)", config.http().host(), httpPort);
        for (VolumeRecord volume : records) {
            String uri = "nbd://" + nbd + "/" + volume.name();
            LOG.info("attach volume '{}': nbdinfo {}  |  qemu-io -f raw {}  |  nbdfuse DIR/{} {} & losetup -f --show DIR/{}",
                    volume.name(), uri, uri, volume.name(), uri, volume.name());
        }
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Each part and whether it is up; the health endpoint answers 200 only when all are. */
    Map<String, Boolean> health() {
        Map<String, Boolean> parts = new LinkedHashMap<>();
        parts.put("metadata", metaServer != null && metaServer.isReady());
        parts.put("bookkeeper", bookies != null && bookies.isHealthy());
        parts.put("volumes", volumesOpen);
        parts.put("nbd", nbdServer != null && nbdServer.isListening());
        parts.put("api", apiServer != null && apiServer.isListening());
        return parts;
    }

    private void awaitMetadata() throws InterruptedException {
        long deadline = System.nanoTime() + META_READY_TIMEOUT.toNanos();
        while (!metaServer.isReady()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the metadata group elected no leader within " + META_READY_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Two nodes on one data directory would corrupt it: the second refuses to start. */
    private void lockDataDir(Path data) throws IOException {
        FileChannel channel = FileChannel.open(data.resolve("node.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another Ledgerdisk node is using " + data + " (node.lock is held)");
        }
        started.push(channel);
    }

    /** Stops every part in reverse start order; logs and continues past failures. */
    @Override
    public void close() {
        boolean wasRunning = apiServer != null;
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", part, e.toString());
            }
        }
        if (wasRunning) {
            LOG.info("Ledgerdisk stopped");
        }
    }

    /** The configured frame cache, capped at an eighth of the heap so that a small JVM cannot run out of memory. */
    private static long frameCacheBytes(NodeConfig config) {
        long configured = config.chunkStore().frameCacheBytes();
        long cap = Runtime.getRuntime().maxMemory() / FRAME_CACHE_HEAP_DIVISOR;
        if (configured > cap) {
            LOG.warn("chunks.frame-cache.bytes={} is more than an eighth of the {} MiB heap; using {} MiB",
                    configured, Runtime.getRuntime().maxMemory() >> 20, cap >> 20);
            return cap;
        }
        return configured;
    }
}
