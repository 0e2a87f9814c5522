package io.ledgerdisk.appliance.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactionPolicyTest {

    @Test
    void defaultsRunOnOneMachine() {
        CompactionPolicy policy = CompactionPolicy.defaults();
        assertEquals(64L << 20, policy.foldBytes());
        assertEquals(Duration.ofHours(24), policy.retention());
    }

    @Test
    void readsSizesAndDurations() {
        CompactionPolicy policy = CompactionPolicy.fromProperties(Map.of("compaction.fold-bytes", "1M", "compaction.fold-age", "500ms",
                "compaction.retention", "0s", "compaction.gc-grace", "0"));
        assertEquals(1L << 20, policy.foldBytes());
        assertEquals(Duration.ofMillis(500), policy.foldAge());
        assertEquals(Duration.ZERO, policy.retention());
        assertEquals(Duration.ZERO, policy.gcGrace());
    }

    @Test
    void refusesWhatMakesNoSense() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CompactionPolicy.fromProperties(Map.of("compaction.fold-age", "soon"))).getMessage().contains("compaction.fold-age"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CompactionPolicy.fromProperties(Map.of("compaction.fold-bytes", "1G", "compaction.max-buffered-bytes", "1M")))
                .getMessage().contains("maxBufferedBytes"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CompactionPolicy.fromProperties(Map.of("compaction.folds", "1"))).getMessage().contains("unknown setting"));
    }
}
