package io.ledgerdisk.nbd.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ledgerdisk.nbd.protocol.ExportInfoRequest;
import io.ledgerdisk.nbd.protocol.MetaContextRequest;
import io.ledgerdisk.nbd.protocol.NbdHandshake;
import io.ledgerdisk.nbd.protocol.NbdReply;
import io.ledgerdisk.nbd.protocol.NbdRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking NBD client speaking raw frames, for tests that need to send exactly what they want
 * (including what well-behaved clients never send). Not thread-safe.
 */
final class RawNbdClient implements AutoCloseable {

    record OptionReply(int option, int type, byte[] data) {
        boolean isError() {
            return NbdHandshake.isError(type);
        }
    }

    record SimpleReply(int error, long cookie) {
    }

    record Chunk(int flags, int type, long cookie, long offset, byte[] payload) {
        boolean done() {
            return (flags & NbdReply.FLAG_DONE) != 0;
        }
    }

    private Socket socket;
    private DataInputStream in;
    private OutputStream out;

    private RawNbdClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawNbdClient connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        return new RawNbdClient(socket);
    }

    /** Connects, checks the greeting, sends fixed-newstyle + no-zeroes client flags. */
    static RawNbdClient handshake(int port) throws IOException {
        RawNbdClient client = connect(port);
        int flags = client.readGreeting();
        assertEquals(NbdHandshake.FLAG_FIXED_NEWSTYLE | NbdHandshake.FLAG_NO_ZEROES, flags);
        client.sendInt(NbdHandshake.CLIENT_FLAG_FIXED_NEWSTYLE | NbdHandshake.CLIENT_FLAG_NO_ZEROES);
        return client;
    }

    /** Runs a TLS client handshake over the connection (after NBD_OPT_STARTTLS was acknowledged). */
    void startTls(javax.net.ssl.SSLContext context) throws IOException {
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                .createSocket(socket, "localhost", socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        socket = tls;
        in = new DataInputStream(tls.getInputStream());
        out = tls.getOutputStream();
    }

    int readGreeting() throws IOException {
        assertEquals(NbdHandshake.NBD_MAGIC, in.readLong());
        assertEquals(NbdHandshake.IHAVEOPT, in.readLong());
        return in.readUnsignedShort();
    }

    void sendInt(int value) throws IOException {
        ByteBuf buf = Unpooled.buffer(4).writeInt(value);
        send(buf);
    }

    void sendOption(int option, ByteBuf data) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        NbdHandshake.writeOption(buf, option, data);
        send(buf);
    }

    void sendOption(int option) throws IOException {
        sendOption(option, Unpooled.EMPTY_BUFFER);
    }

    OptionReply readOptionReply() throws IOException {
        assertEquals(NbdHandshake.OPTION_REPLY_MAGIC, in.readLong());
        int option = in.readInt();
        int type = in.readInt();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new OptionReply(option, type, data);
    }

    /** Sends an option and reads replies up to and including the final one (ACK or error). */
    List<OptionReply> request(int option, ByteBuf data) throws IOException {
        sendOption(option, data);
        List<OptionReply> replies = new ArrayList<>();
        while (true) {
            OptionReply reply = readOptionReply();
            replies.add(reply);
            if (reply.type() == NbdHandshake.REP_ACK || reply.isError()) {
                return replies;
            }
        }
    }

    List<OptionReply> infoOrGo(int option, String export, int... infoTypes) throws IOException {
        List<Integer> types = new ArrayList<>();
        for (int type : infoTypes) {
            types.add(type);
        }
        ByteBuf data = Unpooled.buffer();
        NbdHandshake.writeExportInfoRequest(data, new ExportInfoRequest(export, types));
        return request(option, data);
    }

    List<OptionReply> metaContext(int option, String export, String... queries) throws IOException {
        ByteBuf data = Unpooled.buffer();
        NbdHandshake.writeMetaContextRequest(data, new MetaContextRequest(export, List.of(queries)));
        return request(option, data);
    }

    /** NBD_OPT_GO that must succeed; returns the replies (INFO..., ACK). */
    List<OptionReply> go(String export) throws IOException {
        List<OptionReply> replies = infoOrGo(NbdHandshake.OPT_GO, export, NbdHandshake.INFO_BLOCK_SIZE);
        assertEquals(NbdHandshake.REP_ACK, replies.get(replies.size() - 1).type(), "NBD_OPT_GO refused");
        return replies;
    }

    void request(int flags, int type, long cookie, long offset, int length, byte[] payload) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        NbdRequest.writeCompact(buf, flags, type, cookie, offset, length);
        if (payload != null) {
            buf.writeBytes(payload);
        }
        send(buf);
    }

    void extendedRequest(int flags, int type, long cookie, long offset, long length, byte[] payload)
            throws IOException {
        ByteBuf buf = Unpooled.buffer();
        NbdRequest.writeExtended(buf, flags, type, cookie, offset, length);
        if (payload != null) {
            buf.writeBytes(payload);
        }
        send(buf);
    }

    SimpleReply readSimpleReply() throws IOException {
        assertEquals(NbdReply.SIMPLE_MAGIC, in.readInt(), "simple reply magic");
        return new SimpleReply(in.readInt(), in.readLong());
    }

    byte[] readBytes(int length) throws IOException {
        byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    Chunk readChunk(boolean extended) throws IOException {
        assertEquals(extended ? NbdReply.EXTENDED_MAGIC : NbdReply.STRUCTURED_MAGIC, in.readInt(), "chunk magic");
        int flags = in.readUnsignedShort();
        int type = in.readUnsignedShort();
        long cookie = in.readLong();
        long offset = extended ? in.readLong() : -1;
        long length = extended ? in.readLong() : in.readInt() & 0xffffffffL;
        return new Chunk(flags, type, cookie, offset, readBytes((int) length));
    }

    /** Reads chunks until one marked done; all must belong to the same cookie. */
    List<Chunk> readReply(boolean extended) throws IOException {
        List<Chunk> chunks = new ArrayList<>();
        Chunk chunk;
        do {
            chunk = readChunk(extended);
            chunks.add(chunk);
        } while (!chunk.done());
        return chunks;
    }

    /** True once the server has closed the connection (reads hit end of stream). */
    boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException e) {
            return true;
        } catch (java.net.SocketException e) {
            // A reset also means the server dropped us.
            return true;
        }
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private void send(ByteBuf buf) throws IOException {
        out.write(ByteBufUtil.getBytes(buf));
        out.flush();
        buf.release();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
