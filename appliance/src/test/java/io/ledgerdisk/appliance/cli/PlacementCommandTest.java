package io.ledgerdisk.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementCommandTest {

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PlacementCommand.run(List.of(args), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonIsOneObjectWithTheFiveFields() throws Exception {
        String out = run("simulate", "--nodes", "30", "--domains", "10", "--pg-count", "1024", "--replicas", "3",
                "--remove", "2", "--seed", "7", "--json");
        assertEquals(1, out.strip().lines().count(), out);
        JsonNode json = new ObjectMapper().readTree(out);
        assertEquals(List.of("uniformity", "domain_violations", "moved_pgs", "optimal_moved_pgs", "millis"),
                iterable(json.fieldNames()));
        assertTrue(json.get("uniformity").asDouble() >= 0.96, out);
        assertEquals(0, json.get("domain_violations").asLong(), out);
        long moved = json.get("moved_pgs").asLong();
        long optimal = json.get("optimal_moved_pgs").asLong();
        assertTrue(optimal > 0 && moved >= optimal && moved <= optimal * 1.25, out);
    }

    @Test
    void readableReportListsEveryRemainingNode() {
        String out = run("simulate", "--nodes", "6", "--domains", "3", "--pg-count", "64", "--replicas", "2",
                "--remove", "1", "--weights", "1,1,2,1,1,2");
        assertTrue(out.contains("uniformity"), out);
        assertTrue(out.contains("NODE") && out.contains("COPIES"), out);
        long nodeLines = out.lines().filter(line -> line.startsWith("node-")).count();
        assertEquals(5, nodeLines, out);
        // Node 2 and 5 weigh 2: whichever of them remains carries about twice a weight-1 node's copies.
        assertTrue(out.contains("2.000"), out);
    }

    @Test
    void parsesDefaults() {
        PlacementCommand.Simulation simulation = PlacementCommand.parse(
                List.of("--nodes", "4", "--domains", "2", "--pg-count", "8", "--replicas", "2"));
        assertEquals(0, simulation.remove());
        assertNull(simulation.weights());
        assertEquals(1, simulation.seed());
        assertEquals(false, simulation.json());
    }

    @Test
    void refusesBadArgumentsWithAReadableMessage() {
        assertMessage("--nodes is required", "simulate", "--domains", "2", "--pg-count", "8", "--replicas", "2");
        assertMessage("whole number", "simulate", "--nodes", "x", "--domains", "2", "--pg-count", "8", "--replicas", "2");
        assertMessage("at most one domain per node", "simulate", "--nodes", "2", "--domains", "3", "--pg-count", "8",
                "--replicas", "2");
        assertMessage("distinct failure domains", "simulate", "--nodes", "4", "--domains", "2", "--pg-count", "8",
                "--replicas", "3");
        assertMessage("at least one node must stay", "simulate", "--nodes", "4", "--domains", "2", "--pg-count", "8",
                "--replicas", "1", "--remove", "4");
        assertMessage("one weight per node", "simulate", "--nodes", "4", "--domains", "2", "--pg-count", "8",
                "--replicas", "2", "--weights", "1,2");
        assertMessage("is not a number", "simulate", "--nodes", "2", "--domains", "2", "--pg-count", "8",
                "--replicas", "2", "--weights", "1,heavy");
        assertMessage(">= 0", "simulate", "--nodes", "2", "--domains", "2", "--pg-count", "8", "--replicas", "2",
                "--weights", "1,-1");
        assertMessage("unknown option", "simulate", "--nodez", "2");
        assertMessage("unknown placement subcommand", "place");
        assertMessage("needs a subcommand");
        // Every weighted domain gone: the simulator's refusal is a usage error too.
        assertMessage("failure domains have weight", "simulate", "--nodes", "4", "--domains", "2", "--pg-count", "8",
                "--replicas", "2", "--weights", "1,0,1,0");
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> run(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
