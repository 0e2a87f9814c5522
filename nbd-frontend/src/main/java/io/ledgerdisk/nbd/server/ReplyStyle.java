package io.ledgerdisk.nbd.server;

/** Which reply headers a connection uses, fixed by negotiation (proto.md "Transmission"). */
enum ReplyStyle {
    /** No negotiation: simple replies only. */
    SIMPLE,
    /** {@code NBD_OPT_STRUCTURED_REPLY}: structured chunks, simple replies allowed when there is no payload. */
    STRUCTURED,
    /** {@code NBD_OPT_EXTENDED_HEADERS}: extended requests and extended chunks only. */
    EXTENDED;

    boolean chunked() {
        return this != SIMPLE;
    }

    boolean extended() {
        return this == EXTENDED;
    }
}
