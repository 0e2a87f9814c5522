package io.ledgerdisk.nbd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * One option request of the fixed-newstyle handshake, as framed by {@link NbdHandshake#OPTION_HEADER_LENGTH}.
 *
 * @param code the option type, one of the {@code NbdHandshake.OPT_*} values (or an unknown one)
 * @param data the option data; owned by the receiver, who must release it
 */
public record NbdOption(int code, ByteBuf data) {
}
