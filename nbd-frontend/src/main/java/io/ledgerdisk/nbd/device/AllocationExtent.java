package io.ledgerdisk.nbd.device;

/**
 * One run of bytes with a single allocation state, as reported by {@link BlockDevice#allocation}.
 * Maps to the {@code base:allocation} context flags {@code NBD_STATE_HOLE} and {@code NBD_STATE_ZERO}
 * (proto.md "base:allocation metadata context").
 *
 * @param length number of bytes, positive
 * @param hole   the range is not allocated in the backing store
 * @param zero   the range is known to read as zeroes
 */
public record AllocationExtent(long length, boolean hole, boolean zero) {

    public AllocationExtent {
        if (length <= 0) {
            throw new IllegalArgumentException("extent length must be positive, was " + length);
        }
    }

    /** An allocated extent with data of unknown content. */
    public static AllocationExtent data(long length) {
        return new AllocationExtent(length, false, false);
    }

    /** An unallocated extent that reads as zeroes. */
    public static AllocationExtent sparse(long length) {
        return new AllocationExtent(length, true, true);
    }
}
