package io.ledgerdisk.journal.record;

/**
 * What a {@link LogRecord} does to its volume's block range.
 *
 * <p>Each type has a one-byte {@link #code()} that is written into ledger entries; codes are
 * part of the on-disk format and never change meaning (see {@link LedgerRecordFormat}).
 */
public enum RecordType {
    /** Data written at {@code offset}; the record carries {@code length} bytes of payload. */
    WRITE((byte) 1),
    /** The range reads as zeros from now on (NBD {@code WRITE_ZEROES}); no payload. */
    ZERO((byte) 2),
    /** The range is discarded (NBD {@code TRIM}); it reads as zeros; no payload. */
    TRIM((byte) 3);

    private final byte code;

    RecordType(byte code) {
        this.code = code;
    }

    /** The byte that stands for this type in a ledger entry. */
    public byte code() {
        return code;
    }

    /** Whether records of this type carry {@code length} bytes of payload. */
    public boolean hasPayload() {
        return this == WRITE;
    }

    /**
     * The type for a stored code.
     *
     * @throws IllegalArgumentException if the code names no type
     */
    public static RecordType fromCode(byte code) {
        switch (code) {
            case 1:
                return WRITE;
            case 2:
                return ZERO;
            case 3:
                return TRIM;
            default:
                throw new IllegalArgumentException("unknown record type code " + (code & 0xff));
        }
    }
}
