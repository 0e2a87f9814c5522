package io.ledgerdisk.web.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void parsesUnitsAndBareSeconds() {
        assertEquals(0, DurationText.parseSeconds("0"));
        assertEquals(90, DurationText.parseSeconds("90"));
        assertEquals(90, DurationText.parseSeconds("90s"));
        assertEquals(30 * 60, DurationText.parseSeconds("30m"));
        assertEquals(24 * 3600, DurationText.parseSeconds("24h"));
        assertEquals(7 * 86_400, DurationText.parseSeconds(" 7D "));
    }

    @Test
    void formatsInTheLargestExactUnitAndRoundTrips() {
        assertEquals("0", DurationText.format(0));
        assertEquals("1d", DurationText.format(86_400));
        assertEquals("36h", DurationText.format(36 * 3600));
        assertEquals("90s", DurationText.format(90));
        for (long seconds : new long[] {1, 59, 60, 3599, 3600, 86_399, 86_400, 1_000_000}) {
            assertEquals(seconds, DurationText.parseSeconds(DurationText.format(seconds)));
        }
    }

    @Test
    void refusesTextThatIsNotAPeriod() {
        for (String bad : List.of("", "h", "1y", "-1h", "1.5h", "24 hours")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationText.parseSeconds(bad), bad);
            assertTrue(e.getMessage().contains("24h"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DurationText.parseSeconds("999999999999999d"))
                .getMessage().contains("too long"));
    }

    @Test
    void parsesDurationsDownToMilliseconds() {
        org.junit.jupiter.api.Assertions.assertEquals(java.time.Duration.ofMillis(500), DurationText.parse("500ms"));
        org.junit.jupiter.api.Assertions.assertEquals(java.time.Duration.ofHours(24), DurationText.parse("24h"));
        org.junit.jupiter.api.Assertions.assertEquals(java.time.Duration.ZERO, DurationText.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("fastms"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("soon"));
    }
}
