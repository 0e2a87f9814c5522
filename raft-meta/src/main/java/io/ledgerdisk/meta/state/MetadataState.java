package io.ledgerdisk.meta.state;

import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.NodeRecord;
import io.ledgerdisk.meta.PgRecord;
import io.ledgerdisk.meta.PoolRecord;
import io.ledgerdisk.meta.command.MetaCommand;
import io.ledgerdisk.meta.command.MetaQuery;
import io.ledgerdisk.meta.command.MetaReply;
import io.ledgerdisk.meta.placement.PgHash;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The whole cluster metadata and the deterministic rules that change it. {@link #apply}
 * turns a refused command into an error reply instead of throwing, so a refusal is an
 * ordinary, replicated outcome; a command is checked completely before it changes anything.
 * Not thread-safe: the state machine holds a lock around it.
 */
public final class MetadataState {

    private final VolumeTable volumes;
    private final NodeTable nodes;
    private final PoolTable pools;

    /** An empty cluster. */
    public MetadataState() {
        this(new VolumeTable(), new NodeTable(), new PoolTable());
    }

    private MetadataState(VolumeTable volumes, NodeTable nodes, PoolTable pools) {
        this.volumes = volumes;
        this.nodes = nodes;
        this.pools = pools;
    }

    /** Rebuilds the state from a snapshot. */
    public static MetadataState restore(StateSnapshot snapshot) {
        return new MetadataState(new VolumeTable(snapshot.nextVolumeId(), snapshot.volumes()),
                new NodeTable(snapshot.nodes()), new PoolTable(snapshot.pools(), snapshot.pgs()));
    }

    /** A consistent copy of the state for a snapshot file. */
    public StateSnapshot snapshot() {
        return new StateSnapshot(volumes.nextVolumeId(), volumes.infos(), nodes.list(), pools.list(), pools.allPgs());
    }

    /** Applies a command; a refusal becomes an error reply and leaves the state unchanged. */
    public MetaReply apply(MetaCommand command) {
        try {
            return applyOrThrow(command);
        } catch (MetaException e) {
            return MetaReply.failure(e);
        }
    }

    private MetaReply applyOrThrow(MetaCommand command) {
        if (command instanceof MetaCommand.CreateVolume c) {
            if (c.pool() == null) {
                return MetaReply.of(volumes.create(c.name(), c.sizeBytes(), c.createdMicros()));
            }
            PoolRecord pool = pools.require(c.pool());
            VolumeRules.checkName(c.name());
            return MetaReply.of(volumes.create(c.name(), c.sizeBytes(), c.createdMicros(), pool.name(),
                    PgHash.pgOf(c.name(), pool.pgCount())));
        } else if (command instanceof MetaCommand.CreateVolumeFrom c) {
            int pg = -1;
            if (c.pool() != null) {
                VolumeRules.checkName(c.name());
                pg = PgHash.pgOf(c.name(), pools.require(c.pool()).pgCount());
            }
            return MetaReply.of(volumes.createFrom(c.name(), c.volumeId(), c.sizeBytes(), c.createdMicros(), c.pool(), pg, c.origin(),
                    c.manifest()));
        } else if (command instanceof MetaCommand.ReserveVolumeId) {
            return MetaReply.ofReservedId(volumes.reserveId());
        } else if (command instanceof MetaCommand.CreateSnapshot c) {
            return MetaReply.of(volumes.createSnapshot(c.volume(), c.name(), c.manifestVersion(), c.createdMicros()));
        } else if (command instanceof MetaCommand.DeleteSnapshot c) {
            return MetaReply.of(volumes.deleteSnapshot(c.volume(), c.name()));
        } else if (command instanceof MetaCommand.TrimManifests c) {
            return MetaReply.of(volumes.trimManifests(c.volumeId(), c.keepFromMicros()));
        } else if (command instanceof MetaCommand.DeleteVolume c) {
            return MetaReply.of(volumes.delete(c.name()));
        } else if (command instanceof MetaCommand.AddLedger c) {
            return MetaReply.of(volumes.addLedger(c.volumeId(), c.ledger()));
        } else if (command instanceof MetaCommand.TrimLedgers c) {
            return MetaReply.of(volumes.trimLedgers(c.volumeId(), c.ledgerIds()));
        } else if (command instanceof MetaCommand.CommitManifest c) {
            return MetaReply.of(volumes.commitManifest(c.volumeId(), c.manifest()));
        } else if (command instanceof MetaCommand.RegisterNode c) {
            return MetaReply.ofNodes(List.of(nodes.register(c.id(), c.addresses(), c.failureDomains(), c.weight(), c.micros())));
        } else if (command instanceof MetaCommand.NodeHeartbeat c) {
            return MetaReply.ofNodes(List.of(nodes.heartbeat(c.id(), c.micros())));
        } else if (command instanceof MetaCommand.MarkNodesDown c) {
            List<NodeRecord> down = nodes.markDown(c.nowMicros(), c.timeoutMicros());
            pools.failOver(ids(down));
            return MetaReply.ofNodes(down);
        } else if (command instanceof MetaCommand.SetNodeWeight c) {
            return MetaReply.ofNodes(List.of(nodes.setWeight(c.id(), c.weight())));
        } else if (command instanceof MetaCommand.RemoveNode c) {
            NodeRecord removed = nodes.remove(c.id());
            pools.failOver(Set.of(removed.id()));
            return MetaReply.ofNodes(List.of(removed));
        } else if (command instanceof MetaCommand.CreatePool c) {
            return MetaReply.ofPools(List.of(pools.create(c.pool())));
        } else if (command instanceof MetaCommand.RebalancePool c) {
            return MetaReply.ofPgs(pools.rebalance(c.pool(), nodes.list()));
        } else if (command instanceof MetaCommand.DeletePool c) {
            PoolRecord pool = pools.require(c.pool());
            checkPoolEmpty(pool.name());
            return MetaReply.ofPools(List.of(pools.delete(pool.name())));
        }
        throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "unknown command " + command);
    }

    /** A pool's volumes would lose their placement and redundancy settings: they must be deleted first. */
    private void checkPoolEmpty(String pool) {
        List<String> inPool = volumes.infos().stream().filter(info -> pool.equals(info.pool()))
                .map(info -> info.volume().name()).toList();
        if (!inPool.isEmpty()) {
            String names = inPool.size() <= 5 ? String.join(", ", inPool)
                    : String.join(", ", inPool.subList(0, 5)) + " and " + (inPool.size() - 5) + " more";
            throw new MetaException(MetaException.Code.CONFLICT, "pool '" + pool + "' still has " + inPool.size()
                    + " volume(s) (" + names + "); delete them first");
        }
    }

    private static Set<String> ids(List<NodeRecord> list) {
        return list.stream().map(NodeRecord::id).collect(Collectors.toSet());
    }

    /** Answers a query without changing anything. */
    public MetaReply query(MetaQuery query) {
        try {
            if (query instanceof MetaQuery.ListVolumes) {
                return MetaReply.ofVolumes(volumes.list());
            } else if (query instanceof MetaQuery.GetVolume q) {
                return volumes.byName(q.name()).map(MetaReply::of).orElse(MetaReply.ok());
            } else if (query instanceof MetaQuery.GetVolumeInfo q) {
                return volumes.info(q.name()).map(MetaReply::of).orElse(MetaReply.ok());
            } else if (query instanceof MetaQuery.ListNodes) {
                return MetaReply.ofNodes(nodes.list());
            } else if (query instanceof MetaQuery.ListPools) {
                return MetaReply.ofPools(pools.list());
            } else if (query instanceof MetaQuery.GetPgMap q) {
                return MetaReply.ofPgs(pools.pgMap(q.pool()));
            }
            throw new MetaException(MetaException.Code.INVALID_ARGUMENT, "unknown query " + query);
        } catch (MetaException e) {
            return MetaReply.failure(e);
        }
    }

    /** The volume table (read access for tests). */
    public VolumeTable volumes() {
        return volumes;
    }

    /** The PG map of every pool, ordered by pool then PG (read access for tests). */
    public List<PgRecord> pgs() {
        return pools.allPgs();
    }
}
