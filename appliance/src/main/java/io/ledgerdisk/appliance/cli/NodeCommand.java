package io.ledgerdisk.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code ledgerdisk node list}: the cluster's nodes with liveness, over the REST API. */
public final class NodeCommand {

    static final String USAGE = """
            usage: ledgerdisk node list [--json] [--api URL]
              URL defaults to %s
            """.formatted(ApiClient.DEFAULT_API);

    private NodeCommand() {
    }

    /** Runs {@code node ...}; prints to {@code out}. */
    public static void run(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new UsageException("node needs a subcommand\n" + USAGE);
        }
        if (!args.get(0).equals("list")) {
            throw new UsageException("unknown node subcommand '" + args.get(0) + "'\n" + USAGE);
        }
        CliArgs parsed = CliArgs.parse(args.subList(1, args.size()), Set.of("--api"), Set.of("--json"));
        if (!parsed.positional().isEmpty()) {
            throw new UsageException("node list takes no argument '" + parsed.positional().get(0) + "'");
        }
        JsonNode nodes = new ApiClient(parsed.option("--api", ApiClient.DEFAULT_API)).call("GET", "/api/v1/nodes", null);
        if (parsed.flag("--json")) {
            out.println(nodes.toPrettyString());
            return;
        }
        out.printf("%-16s %-5s %7s %-28s %-24s %s%n", "ID", "STATE", "WEIGHT", "FAILURE-DOMAINS", "ADDRESSES", "LAST-HEARTBEAT");
        for (JsonNode node : nodes) {
            List<String> domains = new ArrayList<>();
            node.get("failureDomains").fields().forEachRemaining(tag -> domains.add(tag.getKey() + "=" + tag.getValue().asText()));
            List<String> addresses = new ArrayList<>();
            node.get("addresses").forEach(address -> addresses.add(address.asText()));
            out.printf(Locale.ROOT, "%-16s %-5s %7.2f %-28s %-24s %s%n", node.get("id").asText(),
                    node.get("alive").asBoolean() ? "up" : "down", node.get("weight").asDouble(), String.join(",", domains),
                    String.join(",", addresses), node.get("lastHeartbeat").asText());
        }
    }
}
