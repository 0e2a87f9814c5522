/**
 * The compactor's jobs: the fold of log records into chunks
 * ({@link io.ledgerdisk.chunk.compaction.Compactor}), merging wasteful or small chunks
 * ({@link io.ledgerdisk.chunk.compaction.ChunkMerger}) and deleting unreachable ones
 * ({@link io.ledgerdisk.chunk.compaction.ChunkGarbageCollector}).
 */
package io.ledgerdisk.chunk.compaction;
