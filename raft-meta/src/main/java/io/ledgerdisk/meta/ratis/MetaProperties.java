package io.ledgerdisk.meta.ratis;

import io.ledgerdisk.meta.MetaServerConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

/** The Ratis settings of metadata servers and clients, in one place. */
public final class MetaProperties {

    /** How long a client waits for one attempt before retrying (possibly on another peer). */
    public static final TimeDuration CLIENT_REQUEST_TIMEOUT = TimeDuration.valueOf(3, TimeUnit.SECONDS);

    private MetaProperties() {
    }

    /** Server settings: log and snapshots under the storage directory, linearizable reads. */
    public static RaftProperties server(MetaServerConfig config) {
        RaftProperties props = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(props, List.of(config.storageDir().toFile()));
        GrpcConfigKeys.Server.setPort(props, config.self().port());
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, config.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, 2);
        // Once a snapshot covers a log segment, the segment is no longer needed for restart.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
        // Queries go through ReadIndex: a read sees every command committed before it was sent.
        RaftServerConfigKeys.Read.setOption(props, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        return props;
    }

    /** Client settings. */
    public static RaftProperties client() {
        RaftProperties props = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(props, CLIENT_REQUEST_TIMEOUT);
        return props;
    }
}
