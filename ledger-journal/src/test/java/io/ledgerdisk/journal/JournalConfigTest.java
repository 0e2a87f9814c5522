package io.ledgerdisk.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JournalConfigTest {

    @Test
    void defaultsFollowTheNumberOfBookies() {
        assertQuorums(JournalConfig.forBookies(1), 1, 1, 1);
        assertQuorums(JournalConfig.forBookies(2), 2, 2, 2);
        assertQuorums(JournalConfig.forBookies(3), 3, 3, 2);
        assertQuorums(JournalConfig.forBookies(7), 3, 3, 2);
        JournalConfig config = JournalConfig.forBookies(3);
        assertEquals(Durability.IMMEDIATE, config.durability());
        assertEquals(1024 * 1024, config.maxPayloadBytes(), "a 1 MiB write fits one record");
        assertEquals(1024L * 1024 * 1024, config.rollOverBytes());
        assertEquals(Duration.ofHours(1), config.rollOverAge());
    }

    @Test
    void invalidSettingsAreRefusedWithTheirName() {
        IllegalArgumentException quorum = assertThrows(IllegalArgumentException.class, () -> new JournalConfig(
                2, 3, 2, Durability.IMMEDIATE, 1 << 20, 1L << 30, Duration.ofHours(1), new byte[0]));
        assertTrue(quorum.getMessage().contains("ensembleSize >= writeQuorum"), quorum.getMessage());
        IllegalArgumentException entry = assertThrows(IllegalArgumentException.class,
                () -> JournalConfig.forBookies(1).withMaxEntryBytes(16 * 1024 * 1024));
        assertTrue(entry.getMessage().contains("maxEntryBytes"), entry.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> JournalConfig.forBookies(1).withRollOver(0, Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class,
                () -> JournalConfig.forBookies(1).withRollOver(1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> JournalConfig.forBookies(0));
    }

    @Test
    void passwordCannotBeChangedFromOutside() {
        JournalConfig config = JournalConfig.forBookies(1);
        config.password()[0] = 'X';
        assertEquals('l', config.password()[0]);
    }

    private static void assertQuorums(JournalConfig config, int ensemble, int write, int ack) {
        assertEquals(ensemble, config.ensembleSize());
        assertEquals(write, config.writeQuorum());
        assertEquals(ack, config.ackQuorum());
    }
}
