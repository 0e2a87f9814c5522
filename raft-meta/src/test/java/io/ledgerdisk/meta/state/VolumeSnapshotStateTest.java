package io.ledgerdisk.meta.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.meta.ManifestVersion;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.SnapshotRecord;
import io.ledgerdisk.meta.VolumeInfo;
import io.ledgerdisk.meta.command.CommandCodec;
import io.ledgerdisk.meta.command.MetaCommand;
import io.ledgerdisk.meta.command.MetaReply;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Snapshots, clones/restores under reserved ids and history trimming in the metadata state machine. */
class VolumeSnapshotStateTest {

    private final MetadataState state = new MetadataState();
    private long volumeId;

    private MetaReply ok(MetaCommand command) {
        // Every command goes through its log encoding, as on a real peer.
        MetaReply reply = state.apply(CommandCodec.decodeCommand(CommandCodec.encode(command)));
        assertFalse(reply.failed(), () -> command + ": " + reply.message());
        return reply;
    }

    private MetaException.Code refusal(MetaCommand command) {
        StateSnapshot before = state.snapshot();
        MetaReply reply = state.apply(command);
        assertTrue(reply.failed(), () -> command + " should be refused");
        assertFalse(reply.message().isBlank());
        assertEquals(before, state.snapshot(), "a refused command must not change the state");
        return reply.error();
    }

    private static ManifestVersion version(long v, long covered, long micros) {
        return new ManifestVersion(v, List.of(), covered, micros, "loc-" + v);
    }

    private VolumeInfo info(String name) {
        return state.volumes().info(name).orElseThrow();
    }

    @BeforeEach
    void volumeWithThreeManifests() {
        volumeId = ok(new MetaCommand.CreateVolume("db", 1 << 20, 10)).volume().id();
        ok(new MetaCommand.CommitManifest(volumeId, version(1, 10, 100)));
        ok(new MetaCommand.CommitManifest(volumeId, version(2, 20, 200)));
        ok(new MetaCommand.CommitManifest(volumeId, version(3, 30, 300)));
    }

    @Test
    void aSnapshotPinsAManifestVersionWithItsCoveredSequence() {
        VolumeInfo info = ok(new MetaCommand.CreateSnapshot("db", "before-upgrade", 2, 250)).volumeInfo();
        assertEquals(List.of(new SnapshotRecord("before-upgrade", volumeId, 2, 20, 250)), info.snapshots());
        // A retry is a no-op; the same name for another version is refused.
        assertEquals(info, ok(new MetaCommand.CreateSnapshot("db", "before-upgrade", 2, 250)).volumeInfo());
        assertEquals(MetaException.Code.ALREADY_EXISTS, refusal(new MetaCommand.CreateSnapshot("db", "before-upgrade", 3, 350)));
        // Version 0 is the empty volume.
        assertEquals(0, ok(new MetaCommand.CreateSnapshot("db", "empty", 0, 260)).volumeInfo().snapshot("empty").orElseThrow()
                .coveredSequence());
    }

    @Test
    void invalidSnapshotsAreRefused() {
        assertEquals(MetaException.Code.NOT_FOUND, refusal(new MetaCommand.CreateSnapshot("nope", "s", 1, 1)));
        assertEquals(MetaException.Code.NOT_FOUND, refusal(new MetaCommand.CreateSnapshot("db", "s", 9, 1)));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.CreateSnapshot("db", "a@b", 1, 1)));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.CreateSnapshot("db", "", 1, 1)));
        assertEquals(MetaException.Code.NOT_FOUND, refusal(new MetaCommand.DeleteSnapshot("db", "s")));
    }

    @Test
    void aVolumeWithSnapshotsCannotBeDeletedUntilTheyAre() {
        ok(new MetaCommand.CreateSnapshot("db", "s1", 1, 150));
        assertEquals(MetaException.Code.CONFLICT, refusal(new MetaCommand.DeleteVolume("db")));
        ok(new MetaCommand.DeleteSnapshot("db", "s1"));
        assertTrue(info("db").snapshots().isEmpty());
        ok(new MetaCommand.DeleteVolume("db"));
    }

    @Test
    void trimmingKeepsTheHeadPinnedVersionsAndTheBaseBeforeTheCutoff() {
        ok(new MetaCommand.CommitManifest(volumeId, version(4, 40, 400)));
        ok(new MetaCommand.CreateSnapshot("db", "s1", 1, 150));
        // Cutoff 350: v3 (300) is the newest before it and is the base for moments after 350.
        ok(new MetaCommand.TrimManifests(volumeId, 350));
        assertEquals(List.of(1L, 3L, 4L), info("db").manifests().stream().map(ManifestVersion::version).toList());
        ok(new MetaCommand.DeleteSnapshot("db", "s1"));
        ok(new MetaCommand.TrimManifests(volumeId, 1_000));
        assertEquals(List.of(4L), info("db").manifests().stream().map(ManifestVersion::version).toList());
        // The next commit still follows the head.
        ok(new MetaCommand.CommitManifest(volumeId, version(5, 50, 500)));
    }

    @Test
    void aCloneIsCreatedUnderAReservedIdWithItsFirstManifestInOneStep() {
        long reserved = ok(new MetaCommand.ReserveVolumeId()).reservedVolumeId();
        assertEquals(volumeId + 1, reserved);
        ManifestVersion first = version(1, 0, 500);
        MetaCommand clone = new MetaCommand.CreateVolumeFrom("copy", reserved, 1 << 20, 500, null, "db@s1", first);
        VolumeInfo info = ok(clone).volumeInfo();
        assertEquals(reserved, info.volume().id());
        assertEquals("db@s1", info.origin());
        assertEquals(List.of(first), info.manifests());
        assertEquals(info, ok(clone).volumeInfo(), "a retry is a no-op");
        // The next ordinary volume does not reuse the reserved id.
        assertEquals(reserved + 1, ok(new MetaCommand.CreateVolume("other", 512, 1)).volume().id());
        assertEquals(MetaException.Code.INVALID_ARGUMENT,
                refusal(new MetaCommand.CreateVolumeFrom("x", reserved + 5, 512, 1, null, "db@s1", first)));
        assertEquals(MetaException.Code.INVALID_ARGUMENT,
                refusal(new MetaCommand.CreateVolumeFrom("x", volumeId, 512, 1, null, "db@s1", first)));
        assertEquals(MetaException.Code.INVALID_ARGUMENT,
                refusal(new MetaCommand.CreateVolumeFrom("x", reserved, 512, 1, null, "db@s1", version(2, 0, 1))));
        // A clone then takes commits like any volume.
        ok(new MetaCommand.CommitManifest(reserved, version(2, 7, 600)));
    }

    @Test
    void snapshotsOriginsAndReservedIdsSurviveAStateSnapshot() throws IOException {
        ok(new MetaCommand.CreateSnapshot("db", "s1", 2, 250));
        long reserved = ok(new MetaCommand.ReserveVolumeId()).reservedVolumeId();
        ok(new MetaCommand.CreateVolumeFrom("copy", reserved, 1 << 20, 500, null, "db@s1", version(1, 0, 500)));
        ok(new MetaCommand.ReserveVolumeId());
        StateSnapshot snapshot = state.snapshot();
        MetadataState restored = MetadataState.restore(SnapshotFormat.decode(SnapshotFormat.encode(snapshot)));
        assertEquals(snapshot, restored.snapshot());
        assertEquals("db@s1", restored.volumes().info("copy").orElseThrow().origin());
        assertEquals(reserved + 2, restored.volumes().nextVolumeId());
    }

    @Test
    void theSameCommandsGiveTheSameStateOnEveryPeer() {
        MetadataState other = new MetadataState();
        List<MetaCommand> log = List.of(new MetaCommand.CreateVolume("db", 1 << 20, 10),
                new MetaCommand.CommitManifest(1, version(1, 10, 100)), new MetaCommand.CreateSnapshot("db", "s", 1, 150),
                new MetaCommand.ReserveVolumeId(), new MetaCommand.CreateVolumeFrom("c", 2, 1 << 20, 160, null, "db@s",
                        version(1, 0, 160)), new MetaCommand.TrimManifests(1, 1_000), new MetaCommand.DeleteSnapshot("db", "s"));
        MetadataState first = new MetadataState();
        log.forEach(first::apply);
        log.forEach(other::apply);
        assertEquals(first.snapshot(), other.snapshot());
    }
}
