package io.ledgerdisk.nbd.server;

import io.netty.buffer.ByteBuf;

/**
 * One content chunk of a structured read reply: data read from the device, or a hole that reads as zeroes.
 *
 * @param offset absolute export offset of the piece
 * @param length bytes covered
 * @param data   the bytes ({@code length} readable), or null for a hole; ownership passes to the reply
 */
record ReadPiece(long offset, int length, ByteBuf data) {

    static ReadPiece hole(long offset, int length) {
        return new ReadPiece(offset, length, null);
    }

    boolean isHole() {
        return data == null;
    }

    void release() {
        if (data != null) {
            data.release();
        }
    }
}
