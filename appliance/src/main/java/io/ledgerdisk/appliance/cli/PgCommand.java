package io.ledgerdisk.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code ledgerdisk pg map POOL}: a pool's PG map (nodes, primary first, and epoch) and per-node loads. */
public final class PgCommand {

    static final String USAGE = """
            usage: ledgerdisk pg map POOL [--json] [--api URL]
              URL defaults to %s
            """.formatted(ApiClient.DEFAULT_API);

    private PgCommand() {
    }

    /** Runs {@code pg ...}; prints to {@code out}. */
    public static void run(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new UsageException("pg needs a subcommand\n" + USAGE);
        }
        if (!args.get(0).equals("map")) {
            throw new UsageException("unknown pg subcommand '" + args.get(0) + "'\n" + USAGE);
        }
        CliArgs parsed = CliArgs.parse(args.subList(1, args.size()), Set.of("--api"), Set.of("--json"));
        String pool = parsed.required(0, "POOL");
        if (parsed.positional().size() > 1) {
            throw new UsageException("pg map takes one POOL, got " + parsed.positional());
        }
        JsonNode map = new ApiClient(parsed.option("--api", ApiClient.DEFAULT_API))
                .call("GET", "/api/v1/pools/" + ApiClient.segment(pool) + "/pgs", null);
        if (parsed.flag("--json")) {
            out.println(map.toPrettyString());
            return;
        }
        out.printf("pool %s: %d PGs, %d placed%n%n", map.get("pool").asText(), map.get("pgCount").asInt(),
                map.get("placedPgs").asInt());
        out.printf("%6s %6s  %s%n", "PG", "EPOCH", "NODES (primary first)");
        for (JsonNode pg : map.get("pgs")) {
            List<String> nodes = new ArrayList<>();
            pg.get("nodes").forEach(node -> nodes.add(node.asText()));
            out.printf("%6d %6d  %s%n", pg.get("pg").asInt(), pg.get("epoch").asLong(),
                    nodes.isEmpty() ? "(unplaced)" : String.join(",", nodes));
        }
        out.printf("%n%-16s %7s %10s%n", "NODE", "COPIES", "PRIMARIES");
        for (JsonNode node : map.get("nodes")) {
            out.printf("%-16s %7d %10d%n", node.get("node").asText(), node.get("copies").asInt(), node.get("primaries").asInt());
        }
    }
}
