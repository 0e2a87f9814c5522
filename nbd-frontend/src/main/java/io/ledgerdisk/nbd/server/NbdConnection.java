package io.ledgerdisk.nbd.server;

import io.ledgerdisk.nbd.device.BlockError;
import io.ledgerdisk.nbd.device.ExportCatalog;
import io.ledgerdisk.nbd.device.LargeBufferPool;
import io.ledgerdisk.nbd.protocol.NbdFrameDecoder;
import io.ledgerdisk.nbd.protocol.NbdHandshake;
import io.ledgerdisk.nbd.protocol.NbdOption;
import io.ledgerdisk.nbd.protocol.NbdProtocolException;
import io.ledgerdisk.nbd.protocol.NbdRequest;
import io.ledgerdisk.nbd.protocol.TransmissionRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: feeds socket bytes to the {@link NbdFrameDecoder}, runs the handshake through the
 * {@link OptionNegotiator}, then executes requests concurrently and replies as each completes, in any order
 * (proto.md "Transmission"). Reading pauses while the requests in flight exceed the configured byte budget
 * or the socket's write queue is full, and resumes as they drain.
 *
 * <p>Confined to the socket's event loop: device completions from other threads hop back onto it.
 * Each failure is logged once, here, with the peer address.
 */
final class NbdConnection {

    private static final Logger log = LoggerFactory.getLogger(NbdConnection.class);

    /**
     * Largest buffer one socket read fills. netty's default stops at 64 KiB, so a 4 MiB write payload took 64
     * reads; the adaptive allocator only grows this large while reads keep filling their buffers (large
     * writes), so small requests still land in small buffers. 256 KiB measured best for 4M writes at QD8
     * (1 MiB was slower: each read then pins a large buffer until every payload slice in it is released).
     */
    static final int MAX_SOCKET_READ_BYTES = 256 * 1024;

    /**
     * Write payloads at least this large are streamed to devices that accept pieces ({@link StreamedWrite}):
     * a whole payload of that size no longer stays in the CPU's cache until it has all arrived, while each
     * socket read copied straight away still is (4 MiB writes over the RAM device: 2.3-2.6 ms of server CPU
     * per write before, 1.55-1.6 ms streamed, from /proc in alternating runs).
     */
    static final int STREAMED_WRITE_BYTES = 1024 * 1024;

    private enum Phase { CLIENT_FLAGS, OPTIONS, TLS_HANDSHAKE, TRANSMISSION, DISCONNECTING, CLOSED }

    private final Vertx vertx;
    private final NetSocketInternal socket;
    private final Context context;
    private final NbdServerConfig config;
    private final OptionNegotiator negotiator;
    private final Consumer<NbdConnection> onClosed;
    private final String peer;
    private final ByteBufAllocator allocator;
    private final ServerSSLOptions sslOptions;
    private final NbdFrameDecoder decoder =
            new NbdFrameDecoder(BlockSizes.MAXIMUM_OPTION_DATA, BlockSizes.MAXIMUM_PAYLOAD);

    private Phase phase = Phase.CLIENT_FLAGS;
    private long handshakeTimer = -1;
    private NegotiatedExport export;
    private RequestValidator validator;
    private CommandExecutor executor;
    private ReplyWriter replies;
    /** The write whose payload is arriving in pieces, or null. */
    private StreamedWrite streamedWrite;

    private final InFlightBudget inFlight;
    private boolean readPaused;
    private boolean writeQueueFull;
    private boolean decoding;
    private boolean decodeAgain;

    /**
     * @param sslOptions the server's TLS identity for STARTTLS, or null when TLS is off
     */
    NbdConnection(Vertx vertx, NetSocket socket, NbdServerConfig config, ExportCatalog catalog,
                  ServerSSLOptions sslOptions, Consumer<NbdConnection> onClosed) {
        this.vertx = vertx;
        this.socket = (NetSocketInternal) socket;
        this.context = vertx.getOrCreateContext();
        this.config = config;
        this.negotiator = new OptionNegotiator(catalog, config.tls());
        this.sslOptions = sslOptions;
        this.onClosed = onClosed;
        this.peer = String.valueOf(socket.remoteAddress());
        ChannelConfig channel = this.socket.channelHandlerContext().channel().config();
        // Large socket reads and large replies reuse pooled memory (see LargeBufferPool).
        channel.setAllocator(LargeBufferPool.SHARED.allocator(channel.getAllocator()));
        channel.setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 2048, MAX_SOCKET_READ_BYTES));
        this.allocator = this.socket.channelHandlerContext().alloc();
        this.inFlight = new InFlightBudget(config.maxInFlightBytesPerConnection());
    }

    /** Sends the greeting and starts reading. Must run on the socket's event loop. */
    void start() {
        log.debug("NBD client {} connected", peer);
        // Raw netty buffers, not Vert.x's heap copies: payloads reach the device without an extra copy.
        socket.messageHandler(this::onMessage);
        socket.closeHandler(ignored -> onSocketClosed());
        socket.shutdownHandler(this::onShutdown);
        socket.exceptionHandler(failure -> log.warn("NBD connection {}: socket error: {}", peer, failure.toString()));
        socket.drainHandler(ignored -> {
            writeQueueFull = false;
            resumeIfClear();
        });
        handshakeTimer = vertx.setTimer(config.handshakeTimeout().toMillis(), id -> {
            handshakeTimer = -1;
            if (phase == Phase.CLIENT_FLAGS || phase == Phase.OPTIONS || phase == Phase.TLS_HANDSHAKE) {
                disconnect("handshake not finished within " + config.handshakeTimeout());
            }
        });
        ByteBuf greeting = allocator.buffer(NbdHandshake.GREETING_LENGTH);
        NbdHandshake.writeGreeting(greeting, OptionNegotiator.handshakeFlags());
        send(greeting);
    }

    /**
     * Vert.x announces a shutdown: a zero grace period is our own {@code close()}/{@code end()}, which Vert.x
     * leaves to this handler to carry out; a positive one is the server shutting down. Then a connection still
     * negotiating closes at once, and one in transmission stops reading, answers the requests in flight and
     * closes (proto.md "Terminating the transmission phase": the server SHOULD wait for in-flight requests);
     * Vert.x closes it anyway when the grace period ends.
     */
    private void onShutdown(Duration grace) {
        if (grace.isZero() || phase != Phase.TRANSMISSION) {
            phase = phase == Phase.CLOSED ? Phase.CLOSED : Phase.DISCONNECTING;
            cancelHandshakeTimer();
            // A second close() on a connection already shutting down closes the channel.
            socket.close();
            return;
        }
        phase = Phase.DISCONNECTING;
        pauseReading();
        log.debug("NBD client {}: server shutting down with {} requests in flight", peer, inFlight.requests());
        closeIfIdle();
    }

    String peer() {
        return peer;
    }

    private void onMessage(Object message) {
        if (!(message instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (phase == Phase.CLOSED || phase == Phase.DISCONNECTING) {
            bytes.release();
            return;
        }
        decoder.append(bytes);
        decode();
    }

    /** Decodes and handles whole frames until input runs out or back-pressure stops us. Not re-entrant. */
    private void decode() {
        if (decoding) {
            decodeAgain = true;
            return;
        }
        decoding = true;
        try {
            do {
                decodeAgain = false;
                decodeFrames();
            } while (decodeAgain);
        } catch (NbdProtocolException e) {
            disconnect(e.getMessage());
        } catch (RuntimeException e) {
            // A bug here or in the export catalog: drop this client, keep the event loop healthy.
            log.error("NBD client {}: internal error, closing connection", peer, e);
            disconnect("internal error: " + e);
        } finally {
            decoding = false;
        }
    }

    private void decodeFrames() {
        while (true) {
            switch (phase) {
                case CLIENT_FLAGS -> {
                    OptionalInt flags = decoder.nextClientFlags();
                    if (flags.isEmpty()) {
                        return;
                    }
                    String refusal = negotiator.acceptClientFlags(flags.getAsInt());
                    if (refusal != null) {
                        disconnect(refusal);
                        return;
                    }
                    phase = Phase.OPTIONS;
                }
                case OPTIONS -> {
                    NbdOption option = decoder.nextOption();
                    if (option == null) {
                        return;
                    }
                    handleOption(option);
                }
                case TRANSMISSION -> {
                    if (streamedWrite != null) {
                        ByteBuf piece = decoder.nextPayloadPiece();
                        if (piece == null) {
                            return;
                        }
                        streamedWrite.write(piece);
                        if (decoder.payloadToStream() == 0) {
                            finishStreamedWrite();
                        }
                        continue;
                    }
                    if (overBudget()) {
                        pauseReading();
                        return;
                    }
                    TransmissionRequest request = decoder.nextRequest();
                    if (request == null) {
                        return;
                    }
                    if (decoder.payloadToStream() > 0) {
                        RequestValidator.Rejection rejection = validator.check(request);
                        streamedWrite = rejection == null
                                ? StreamedWrite.accepted(request, export.device())
                                : StreamedWrite.refused(request, rejection);
                    } else {
                        handleRequest(request);
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }

    private void handleOption(NbdOption option) {
        ByteBuf out = allocator.buffer();
        OptionNegotiator.Step step = negotiator.handle(option, out);
        if (step.next() == OptionNegotiator.Next.HARD_DISCONNECT) {
            out.release();
            disconnect(step.reason());
            return;
        }
        if (step.next() == OptionNegotiator.Next.START_TLS) {
            startTls(out);
            return;
        }
        send(out);
        switch (step.next()) {
            case TRANSMISSION -> enterTransmission(step.export());
            case CLOSE -> {
                log.debug("NBD client {}: {}", peer, step.reason());
                phase = Phase.DISCONNECTING;
                socket.end();
            }
            default -> {
            }
        }
    }

    /**
     * Sends the STARTTLS acknowledgement as the last cleartext bytes and switches the socket to TLS. The
     * client sends nothing until it has the acknowledgement, so no cleartext is left in the decoder.
     */
    private void startTls(ByteBuf acknowledgement) {
        phase = Phase.TLS_HANDSHAKE;
        Buffer cleartext = Buffer.buffer(ByteBufUtil.getBytes(acknowledgement));
        acknowledgement.release();
        socket.upgradeToSsl(sslOptions, null, cleartext).onComplete(result -> {
            if (phase != Phase.TLS_HANDSHAKE) {
                return;
            }
            if (result.failed()) {
                disconnect("TLS handshake failed: " + result.cause());
                return;
            }
            negotiator.tlsEstablished();
            phase = Phase.OPTIONS;
            log.debug("NBD client {} upgraded to TLS", peer);
            decode();
        });
    }

    private void enterTransmission(NegotiatedExport negotiated) {
        cancelHandshakeTimer();
        export = negotiated;
        validator = new RequestValidator(negotiated);
        executor = new CommandExecutor(negotiated);
        replies = new ReplyWriter(negotiated.replyStyle(), allocator, this::send);
        decoder.useExtendedRequests(negotiated.replyStyle().extended());
        decoder.streamWritePayloadsFrom(
                negotiated.device().acceptsWritePieces() ? STREAMED_WRITE_BYTES : Integer.MAX_VALUE);
        phase = Phase.TRANSMISSION;
        log.debug("NBD client {} attached to export '{}' with {} replies", peer, negotiated.exportName(),
                negotiated.replyStyle());
    }

    private void handleRequest(TransmissionRequest request) {
        if (request.type() == NbdRequest.CMD_DISC) {
            // Finish outstanding requests, then close (proto.md "NBD_CMD_DISC"); nothing may follow.
            request.releasePayload();
            phase = Phase.DISCONNECTING;
            log.debug("NBD client {} sent NBD_CMD_DISC", peer);
            closeIfIdle();
            return;
        }
        RequestValidator.Rejection rejection = validator.check(request);
        if (rejection != null) {
            request.releasePayload();
            refuse(request, rejection);
            return;
        }
        long cost = inFlight.charge(request);
        whenAnswered(request, executor.execute(request), cost);
    }

    private void refuse(TransmissionRequest request, RequestValidator.Rejection rejection) {
        log.info("NBD client {}: {} refused with {}: {}", peer, NbdRequest.commandName(request.type()),
                rejection.error(), rejection.message());
        replies.error(request, rejection.error(), rejection.message());
    }

    /**
     * The whole payload of the streamed write has been handed out: answer it once its pieces are written. It
     * counts against the in-flight budget from here on: its pieces are at most one maximum payload.
     */
    private void finishStreamedWrite() {
        StreamedWrite write = streamedWrite;
        streamedWrite = null;
        if (write.rejection() != null) {
            refuse(write.request(), write.rejection());
            return;
        }
        whenAnswered(write.request(), write.finish(), inFlight.charge(write.request()));
    }

    private void whenAnswered(TransmissionRequest request, CompletableFuture<Reply> answer, long cost) {
        answer.whenComplete((reply, failure) -> onEventLoop(() -> {
            // Device failures arrive as replies; a failure here is a bug in this server.
            Reply outcome = failure == null ? reply : CommandExecutor.failed(failure);
            complete(request, outcome, cost);
        }));
    }

    private void complete(TransmissionRequest request, Reply reply, long cost) {
        inFlight.release(cost);
        if (phase == Phase.CLOSED) {
            reply.discard();
            return;
        }
        boolean deviceGone = false;
        if (reply instanceof Reply.Failure failure) {
            logFailure(request, failure);
            deviceGone = failure.error() == BlockError.ESHUTDOWN && phase == Phase.TRANSMISSION;
        }
        reply.writeTo(replies, request);
        if (deviceGone) {
            // The export is gone from this server (its volume fenced by another node, or closed): answer
            // what is in flight, take nothing new, and close, as on a server shutdown (proto.md
            // "NBD_ESHUTDOWN"). The client reconnects to whichever server serves the export now.
            log.warn("NBD client {}: export '{}' is shut down on this server; closing the connection once its {}"
                    + " requests in flight are answered", peer, export.exportName(), inFlight.requests());
            phase = Phase.DISCONNECTING;
            pauseReading();
        }
        if (phase == Phase.DISCONNECTING) {
            closeIfIdle();
        } else {
            resumeIfClear();
        }
    }

    private void logFailure(TransmissionRequest request, Reply.Failure failure) {
        String command = NbdRequest.commandName(request.type());
        if (failure.cause() instanceof io.ledgerdisk.nbd.device.BlockDeviceException || failure.cause() == null) {
            log.warn("NBD client {}: {} at offset {} length {} on export '{}' failed with {}: {}", peer, command,
                    Long.toUnsignedString(request.offset()), Long.toUnsignedString(request.length()),
                    export.exportName(), failure.error(), failure.message());
        } else {
            log.warn("NBD client {}: {} at offset {} length {} on export '{}' failed with {}", peer, command,
                    Long.toUnsignedString(request.offset()), Long.toUnsignedString(request.length()),
                    export.exportName(), failure.error(), failure.cause());
        }
    }

    private boolean overBudget() {
        return inFlight.exhausted() || writeQueueFull;
    }

    private void pauseReading() {
        if (!readPaused) {
            readPaused = true;
            socket.pause();
        }
    }

    private void resumeIfClear() {
        if (phase != Phase.TRANSMISSION || overBudget()) {
            return;
        }
        if (readPaused) {
            readPaused = false;
            socket.resume();
        }
        if (decoder.bufferedBytes() > 0) {
            decode();
        }
    }

    private void closeIfIdle() {
        if (inFlight.idle() && phase == Phase.DISCONNECTING) {
            socket.end();
        }
    }

    private void send(ByteBuf message) {
        if (phase == Phase.CLOSED) {
            message.release();
            return;
        }
        socket.writeMessage(message);
        if (!writeQueueFull && socket.writeQueueFull()) {
            // The client is not reading its replies: stop taking requests until it catches up.
            writeQueueFull = true;
        }
    }

    private void disconnect(String reason) {
        if (phase == Phase.CLOSED || phase == Phase.DISCONNECTING) {
            return;
        }
        log.warn("NBD client {}: closing connection: {}", peer, reason);
        phase = Phase.DISCONNECTING;
        cancelHandshakeTimer();
        socket.close();
    }

    private void onSocketClosed() {
        phase = Phase.CLOSED;
        cancelHandshakeTimer();
        decoder.release();
        log.debug("NBD client {} disconnected", peer);
        onClosed.accept(this);
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer >= 0) {
            vertx.cancelTimer(handshakeTimer);
            handshakeTimer = -1;
        }
    }

    /** Runs on this connection's event loop: directly if already there, else queued. */
    private void onEventLoop(Runnable task) {
        if (Vertx.currentContext() == context) {
            task.run();
        } else {
            context.runOnContext(ignored -> task.run());
        }
    }
}
