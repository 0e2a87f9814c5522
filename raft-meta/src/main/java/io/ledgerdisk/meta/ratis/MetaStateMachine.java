package io.ledgerdisk.meta.ratis;

import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.command.CommandCodec;
import io.ledgerdisk.meta.command.MetaCommand;
import io.ledgerdisk.meta.command.MetaReply;
import io.ledgerdisk.meta.state.MetadataState;
import io.ledgerdisk.meta.state.SnapshotFormat;
import io.ledgerdisk.meta.state.StateSnapshot;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;

/**
 * The Ratis state machine of the metadata group: decodes each committed command, applies it
 * to {@link MetadataState} and answers with an encoded {@link MetaReply}. Snapshots are single
 * JSON files ({@link SnapshotFormat}) kept by {@link SimpleStateMachineStorage}; on start and
 * after installing a snapshot from the leader the latest one is loaded and the log replays
 * from there.
 *
 * <p>Ratis applies transactions and takes snapshots on one thread; queries come from RPC
 * threads, so the state is guarded by a read-write lock.
 */
public final class MetaStateMachine extends BaseStateMachine {

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private MetadataState state = new MetadataState();

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load(storage.getLatestSnapshot());
    }

    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        MetaReply reply;
        lock.writeLock().lock();
        try {
            reply = applyBytes(data);
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        } finally {
            lock.writeLock().unlock();
        }
        return CompletableFuture.completedFuture(toMessage(reply));
    }

    private MetaReply applyBytes(byte[] data) {
        MetaCommand command;
        try {
            command = CommandCodec.decodeCommand(data);
        } catch (MetaException e) {
            // Every peer decodes the same bytes the same way, so refusing is deterministic.
            LOG.warn("{}: refusing an undecodable command: {}", getId(), e.getMessage());
            return MetaReply.failure(e);
        }
        return state.apply(command);
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        MetaReply reply;
        lock.readLock().lock();
        try {
            reply = state.query(CommandCodec.decodeQuery(request.getContent().toByteArray()));
        } catch (MetaException e) {
            reply = MetaReply.failure(e);
        } finally {
            lock.readLock().unlock();
        }
        return CompletableFuture.completedFuture(toMessage(reply));
    }

    @Override
    public long takeSnapshot() throws IOException {
        StateSnapshot snapshot;
        TermIndex last;
        lock.readLock().lock();
        try {
            snapshot = state.snapshot();
            last = getLastAppliedTermIndex();
        } finally {
            lock.readLock().unlock();
        }
        if (last == null) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
        Files.write(tmp, SnapshotFormat.encode(snapshot));
        Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        LOG.info("{}: metadata snapshot at {} with {} volumes", getId(), last, snapshot.volumes().size());
        return last.getIndex();
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file, md5);
        }
        MetadataState restored = MetadataState.restore(SnapshotFormat.decode(Files.readAllBytes(file.toPath())));
        TermIndex last = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file);
        lock.writeLock().lock();
        try {
            state = restored;
            setLastAppliedTermIndex(last);
        } finally {
            lock.writeLock().unlock();
        }
        LOG.info("{}: loaded metadata snapshot {}", getId(), file);
    }

    private static Message toMessage(MetaReply reply) {
        return Message.valueOf(ByteString.copyFrom(CommandCodec.encode(reply)));
    }
}
