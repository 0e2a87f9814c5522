package io.ledgerdisk.web.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PgMapViewTest {

    @Test
    void countsCopiesAndPrimariesPerNodeAndUnplacedPgs() {
        PgMapView map = PgMapView.of("p", List.of(
                new PgMapView.Pg(0, List.of("a", "b", "c"), 1),
                new PgMapView.Pg(1, List.of("b", "c", "a"), 2),
                new PgMapView.Pg(2, List.of("b", "a", "d"), 1),
                new PgMapView.Pg(3, List.of(), 0)));
        assertEquals(4, map.pgCount());
        assertEquals(3, map.placedPgs());
        assertEquals(List.of(
                new PgMapView.NodeLoad("a", 3, 1),
                new PgMapView.NodeLoad("b", 3, 2),
                new PgMapView.NodeLoad("c", 2, 0),
                new PgMapView.NodeLoad("d", 1, 0)), map.nodes());
    }
}
