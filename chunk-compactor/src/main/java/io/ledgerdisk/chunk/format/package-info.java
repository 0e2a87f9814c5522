/**
 * The chunk file: its byte layout ({@link io.ledgerdisk.chunk.format.ChunkFormat}, the only
 * class that knows it), writing ({@link io.ledgerdisk.chunk.format.ChunkWriter}), and reading
 * and scrubbing with CRC32C checks ({@link io.ledgerdisk.chunk.format.ChunkReader}).
 */
package io.ledgerdisk.chunk.format;
