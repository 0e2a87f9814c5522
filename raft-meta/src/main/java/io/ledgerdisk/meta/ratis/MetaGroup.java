package io.ledgerdisk.meta.ratis;

import io.ledgerdisk.meta.MetaPeer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * The identity of the metadata Raft group. There is one group per cluster and its id is
 * derived from a constant, so servers and clients agree on it without configuration.
 */
public final class MetaGroup {

    /** The fixed group id: a name-based UUID of {@code "ledgerdisk-meta"}. */
    public static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("ledgerdisk-meta".getBytes(StandardCharsets.UTF_8)));

    private MetaGroup() {
    }

    /** The Ratis group of these peers. */
    public static RaftGroup of(List<MetaPeer> peers) {
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("the metadata group needs at least one peer");
        }
        return RaftGroup.valueOf(GROUP_ID, peers.stream().map(MetaGroup::toRaftPeer).toList());
    }

    /** The Ratis peer for a metadata peer. */
    public static RaftPeer toRaftPeer(MetaPeer peer) {
        return RaftPeer.newBuilder().setId(RaftPeerId.valueOf(peer.id())).setAddress(peer.address()).build();
    }
}
