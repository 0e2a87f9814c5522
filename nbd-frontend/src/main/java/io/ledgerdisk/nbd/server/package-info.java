/**
 * The NBD server on Vert.x: {@link io.ledgerdisk.nbd.server.NbdServer} accepts connections; each
 * {@code NbdConnection} runs the handshake ({@code OptionNegotiator}), then validates requests
 * ({@code RequestValidator}), executes them on the device ({@code CommandExecutor}) and encodes replies
 * ({@code ReplyWriter}), concurrently and without blocking its event loop.
 */
package io.ledgerdisk.nbd.server;
