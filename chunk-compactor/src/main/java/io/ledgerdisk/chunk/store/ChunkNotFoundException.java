package io.ledgerdisk.chunk.store;

/**
 * A chunk store has no object with the requested id. When a manifest names the chunk this
 * means the chunk was deleted while still reachable (a garbage-collection bug or a manual
 * deletion) or the store is not the one the manifest was written to.
 */
public final class ChunkNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ChunkId chunkId;

    public ChunkNotFoundException(ChunkId chunkId, String where) {
        super("chunk " + chunkId + " does not exist in " + where);
        this.chunkId = chunkId;
    }

    /** The missing object. */
    public ChunkId chunkId() {
        return chunkId;
    }
}
