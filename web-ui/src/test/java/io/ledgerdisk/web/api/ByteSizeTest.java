package io.ledgerdisk.web.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void parsesBinaryUnits() {
        assertEquals(4096, ByteSize.parse("4096"));
        assertEquals(64L << 10, ByteSize.parse("64K"));
        assertEquals(10L << 30, ByteSize.parse("10G"));
        assertEquals(10L << 30, ByteSize.parse("10g"));
        assertEquals(1L << 40, ByteSize.parse("1T"));
        assertEquals(512L << 20, ByteSize.parse("512MiB"));
    }

    @Test
    void refusesWhatIsNotASize() {
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("ten gigs"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-5G"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("10X"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("99999999999P"));
    }

    @Test
    void formatsInTheLargestExactUnit() {
        assertEquals("4G", ByteSize.format(4L << 30));
        assertEquals("1536K", ByteSize.format(1536L << 10));
        assertEquals("513", ByteSize.format(513));
    }
}
