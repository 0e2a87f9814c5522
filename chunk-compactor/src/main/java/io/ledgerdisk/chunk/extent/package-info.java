/**
 * The extent map: which chunk holds each block range of a volume, as merged runs.
 */
package io.ledgerdisk.chunk.extent;
