package io.ledgerdisk.meta.command;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.NodeRecord;
import io.ledgerdisk.meta.PgRecord;
import io.ledgerdisk.meta.PoolRecord;
import io.ledgerdisk.meta.VolumeInfo;
import io.ledgerdisk.meta.VolumeRecord;
import java.util.List;

/**
 * The state machine's answer to a command or query: either an error (code and message) or
 * the objects the request asked for. Absent fields are {@code null}.
 *
 * @param error      why the request was refused, or {@code null} on success
 * @param message    a human-readable explanation of the error
 * @param volume     the volume a command created or changed, or a query found
 * @param volumes    the volumes a list query returned
 * @param volumeInfo a volume with its placement and manifests
 * @param nodes      nodes a command changed or a query returned
 * @param pools      pools a command changed or a query returned
 * @param pgs        PGs a command changed or a query returned
 * @param reservedVolumeId the id a {@link MetaCommand.ReserveVolumeId} took
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MetaReply(MetaException.Code error, String message, VolumeRecord volume, List<VolumeRecord> volumes,
                        VolumeInfo volumeInfo, List<NodeRecord> nodes, List<PoolRecord> pools, List<PgRecord> pgs,
                        Long reservedVolumeId) {

    private static final MetaReply EMPTY = new MetaReply(null, null, null, null, null, null, null, null, null);

    /** A success with nothing to return. */
    public static MetaReply ok() {
        return EMPTY;
    }

    /** A success returning one volume. */
    public static MetaReply of(VolumeRecord volume) {
        return new MetaReply(null, null, volume, null, null, null, null, null, null);
    }

    /** A success returning a list of volumes. */
    public static MetaReply ofVolumes(List<VolumeRecord> volumes) {
        return new MetaReply(null, null, null, List.copyOf(volumes), null, null, null, null, null);
    }

    /** A success returning a volume with its placement and manifests. */
    public static MetaReply of(VolumeInfo info) {
        return new MetaReply(null, null, info.volume(), null, info, null, null, null, null);
    }

    /** A success returning nodes. */
    public static MetaReply ofNodes(List<NodeRecord> nodes) {
        return new MetaReply(null, null, null, null, null, List.copyOf(nodes), null, null, null);
    }

    /** A success returning pools. */
    public static MetaReply ofPools(List<PoolRecord> pools) {
        return new MetaReply(null, null, null, null, null, null, List.copyOf(pools), null, null);
    }

    /** A success returning PGs. */
    public static MetaReply ofPgs(List<PgRecord> pgs) {
        return new MetaReply(null, null, null, null, null, null, null, List.copyOf(pgs), null);
    }

    /** A success returning a reserved volume id. */
    public static MetaReply ofReservedId(long volumeId) {
        return new MetaReply(null, null, null, null, null, null, null, null, volumeId);
    }

    /** The refusal carried by an exception. */
    public static MetaReply failure(MetaException e) {
        return new MetaReply(e.code(), e.getMessage(), null, null, null, null, null, null, null);
    }

    /** True if the request was refused. */
    public boolean failed() {
        return error != null;
    }

    /** Throws the refusal as a {@link MetaException}; returns this reply on success. */
    public MetaReply orThrow() {
        if (error != null) {
            throw new MetaException(error, message);
        }
        return this;
    }
}
