package io.ledgerdisk.meta.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The size the design calls for: 65536 PGs x 3 copies on 1000 nodes, placed and rebalanced in under 5 s. */
class PlacementScaleIT {

    @Test
    void placesAndRebalances65536PgsOn1000NodesInUnderFiveSeconds() {
        SimulationReport report = PlacementSimulator.simulate(1000, 40, 65536, 3, 10, null, 1);
        assertEquals(0, report.domainViolations());
        assertTrue(report.uniformity() >= 0.96, report.toReport());
        assertTrue(report.movedPgs() <= 1.25 * report.optimalMovedPgs(), report.toReport());
        assertTrue(report.millis() < 5_000, report.toReport());
    }
}
