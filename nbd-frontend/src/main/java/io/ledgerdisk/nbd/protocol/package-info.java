/**
 * The NBD wire format, one descriptor class per message family: {@link io.ledgerdisk.nbd.protocol.NbdHandshake}
 * (greeting, options, option replies), {@link io.ledgerdisk.nbd.protocol.NbdRequest} (compact and extended
 * request headers) and {@link io.ledgerdisk.nbd.protocol.NbdReply} (simple, structured and extended replies),
 * plus the incremental {@link io.ledgerdisk.nbd.protocol.NbdFrameDecoder}. No I/O and no policy here; see
 * docs/formats.md, "NBD wire messages".
 */
package io.ledgerdisk.nbd.protocol;
