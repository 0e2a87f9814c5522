package io.ledgerdisk.meta.command;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A read of the cluster metadata, answered by the state machine without a log entry. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MetaQuery.ListVolumes.class, name = "list_volumes"),
    @JsonSubTypes.Type(value = MetaQuery.GetVolume.class, name = "get_volume"),
    @JsonSubTypes.Type(value = MetaQuery.GetVolumeInfo.class, name = "get_volume_info"),
    @JsonSubTypes.Type(value = MetaQuery.ListNodes.class, name = "list_nodes"),
    @JsonSubTypes.Type(value = MetaQuery.ListPools.class, name = "list_pools"),
    @JsonSubTypes.Type(value = MetaQuery.GetPgMap.class, name = "get_pg_map"),
})
public sealed interface MetaQuery {

    /** Every volume, ordered by name. */
    record ListVolumes() implements MetaQuery {
    }

    /** One volume by name; an empty reply if there is none. */
    record GetVolume(String name) implements MetaQuery {
    }

    /** One volume with its pool, PG and manifests; an empty reply if there is none. */
    record GetVolumeInfo(String name) implements MetaQuery {
    }

    /** Every node, ordered by id. */
    record ListNodes() implements MetaQuery {
    }

    /** Every pool, ordered by name. */
    record ListPools() implements MetaQuery {
    }

    /** A pool's PG map, by PG number. */
    record GetPgMap(String pool) implements MetaQuery {
    }
}
