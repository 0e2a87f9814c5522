package io.ledgerdisk.meta.command;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A read of the cluster metadata, answered by the state machine without a log entry. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MetaQuery.ListVolumes.class, name = "list_volumes"),
    @JsonSubTypes.Type(value = MetaQuery.GetVolume.class, name = "get_volume"),
})
public sealed interface MetaQuery {

    /** Every volume, ordered by name. */
    record ListVolumes() implements MetaQuery {
    }

    /** One volume by name; an empty reply if there is none. */
    record GetVolume(String name) implements MetaQuery {
    }
}
