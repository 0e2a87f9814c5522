/**
 * Placement of placement groups (PGs) on nodes: each PG's copies go to nodes in distinct
 * failure domains, in proportion to node weight, moving as few copies as possible when the
 * cluster changes. Pure Java, deterministic, no Ratis: the state machine and the CLI's
 * simulator both call {@link io.ledgerdisk.meta.placement.PlacementEngine}.
 */
package io.ledgerdisk.meta.placement;
