package io.ledgerdisk.meta.command;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.ledgerdisk.meta.LedgerRef;

/**
 * A change to the cluster metadata, as written to the Raft log.
 *
 * <p>Commands carry every input the state machine needs (timestamps included), so that
 * applying the same log on every peer gives the same state. {@link CommandCodec} owns their
 * encoding; the JSON type names below are part of the log format and never change.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MetaCommand.CreateVolume.class, name = "create_volume"),
    @JsonSubTypes.Type(value = MetaCommand.DeleteVolume.class, name = "delete_volume"),
    @JsonSubTypes.Type(value = MetaCommand.AddLedger.class, name = "add_ledger"),
})
public sealed interface MetaCommand {

    /** Create a volume; the state machine assigns its id. */
    record CreateVolume(String name, long sizeBytes, long createdMicros) implements MetaCommand {
    }

    /** Delete a volume by name. */
    record DeleteVolume(String name) implements MetaCommand {
    }

    /** Append a ledger to a volume's log; a retry with the same ledger id is a no-op. */
    record AddLedger(long volumeId, LedgerRef ledger) implements MetaCommand {
    }
}
