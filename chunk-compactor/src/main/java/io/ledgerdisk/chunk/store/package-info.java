/**
 * Where chunk files live: the {@link io.ledgerdisk.chunk.store.ChunkStore} SPI and its local
 * directory, S3, read-cache and in-memory implementations, chosen by
 * {@link io.ledgerdisk.chunk.store.ChunkStoreConfig}.
 */
package io.ledgerdisk.chunk.store;
