package io.ledgerdisk.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ledgerdisk.web.api.PoolRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PoolCommandTest {

    private static final Set<String> VALUED = Set.of("--api", "--pg-count", "--replicas", "--ensemble", "--write-quorum",
            "--ack-quorum", "--durability", "--failure-domain", "--tier", "--bucket", "--retention");

    private static ObjectNode request(String... args) {
        return PoolCommand.request(CliArgs.parse(List.of(args), VALUED, Set.of("--json")));
    }

    @Test
    void sendsOnlyTheOptionsGivenSoTheNodeAppliesItsDefaults() {
        ObjectNode body = request("fast");
        assertEquals("{\"name\":\"fast\"}", body.toString());
    }

    @Test
    void sendsEveryOptionAsTheApiField() {
        ObjectNode body = request("cold", "--pg-count", "128", "--replicas", "3", "--ack-quorum", "3", "--durability", "LAZY",
                "--failure-domain", "rack", "--tier", "s3", "--bucket", "chunks", "--retention", "7d");
        PoolRequest parsed = PoolRequest.fromJson(body);
        assertEquals(128, parsed.pgCount());
        assertEquals(new PoolRequest.Redundancy(3, 3, 3), parsed.redundancy(1));
        assertEquals("lazy", parsed.durability());
        assertEquals("rack", parsed.failureDomain());
        assertEquals("s3", parsed.tier());
        assertEquals("chunks", parsed.bucket());
        assertEquals(7 * 86_400L, parsed.retentionSeconds());
    }

    @Test
    void refusesABadCommandLineBeforeCallingTheNode() {
        assertMessage("NAME is missing");
        assertMessage("positive whole number", "p", "--pg-count", "0");
        assertMessage("positive whole number", "p", "--replicas", "three");
        assertMessage("ack quorum <= write quorum <= ensemble", "p", "--replicas", "3", "--ack-quorum", "4");
        assertMessage("ack quorum <= write quorum <= ensemble", "p", "--ensemble", "2", "--write-quorum", "3");
        assertMessage("immediate or lazy", "p", "--durability", "eventually");
        assertMessage("local or s3", "p", "--tier", "tape");
        assertMessage("--tier s3 needs --bucket", "p", "--tier", "s3");
        assertMessage("only for --tier s3", "p", "--bucket", "b");
        assertMessage("not a period", "p", "--retention", "1y");
        assertMessage("one NAME", "p", "q");
    }

    @Test
    void refusesUnknownSubcommandsAndMisplacedOptions() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        assertTrue(assertThrows(UsageException.class, () -> PoolCommand.run(List.of(), out)).getMessage().contains("subcommand"));
        assertTrue(assertThrows(UsageException.class, () -> PoolCommand.run(List.of("resize", "p"), out))
                .getMessage().contains("unknown pool subcommand"));
        assertTrue(assertThrows(UsageException.class, () -> PoolCommand.run(List.of("delete", "p", "--replicas", "3"), out))
                .getMessage().contains("does not take --replicas"));
        assertTrue(assertThrows(UsageException.class, () -> PoolCommand.run(List.of("list", "--colour", "x"), out))
                .getMessage().contains("unknown option"));
        UsageException badNode = assertThrows(UsageException.class, () -> NodeCommand.run(List.of("remove"), out));
        assertTrue(badNode.getMessage().contains("unknown node subcommand"));
        UsageException noPool = assertThrows(UsageException.class, () -> PgCommand.run(List.of("map"), out));
        assertTrue(noPool.getMessage().contains("POOL is missing"));
        assertFalse(noPool.getMessage().isBlank());
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> request(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
