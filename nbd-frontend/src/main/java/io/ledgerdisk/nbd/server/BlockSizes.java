package io.ledgerdisk.nbd.server;

/**
 * The size constraints the server advertises with {@code NBD_INFO_BLOCK_SIZE} (proto.md "Size constraints"):
 * the protocol defaults, so clients that never ask are served the same way.
 */
final class BlockSizes {

    /** Any byte is addressable. */
    static final int MINIMUM = 1;
    /** Requests aligned to 4 KiB avoid read-modify-write in the volume engine. */
    static final int PREFERRED = 4096;
    /** 32 MiB, the largest payload every client may assume; larger WRITE payloads are a hard disconnect. */
    static final int MAXIMUM_PAYLOAD = 32 * 1024 * 1024;
    /** Option data beyond this is a denial of service: a name and a few queries fit easily. */
    static final int MAXIMUM_OPTION_DATA = 64 * 1024;

    private BlockSizes() {
    }
}
