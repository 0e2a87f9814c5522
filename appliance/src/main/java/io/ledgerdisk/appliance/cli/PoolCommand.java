package io.ledgerdisk.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ledgerdisk.web.api.DurationText;
import io.ledgerdisk.web.api.PoolRequest;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code ledgerdisk pool create|list|delete}: pool administration over the REST API. */
public final class PoolCommand {

    static final String USAGE = """
            usage: ledgerdisk pool create NAME [--pg-count N] [--replicas R] [--ensemble E] [--write-quorum QW]
                                          [--ack-quorum QA] [--durability immediate|lazy] [--failure-domain LEVEL]
                                          [--tier local|s3] [--bucket B] [--retention PERIOD] [--api URL]
                   ledgerdisk pool list [--json] [--api URL]
                   ledgerdisk pool delete NAME [--api URL]
              --replicas R sets E = Qw = R and Qa to a majority (3 -> 3/3/2); --ensemble, --write-quorum and
              --ack-quorum override it. Unset: the node's redundancy and durability, %d PGs, failure domain
              host, local chunks, retention 24h. PERIOD: 90s, 30m, 24h, 7d or 0. URL defaults to %s
            """.formatted(PoolRequest.DEFAULT_PG_COUNT, ApiClient.DEFAULT_API);

    /** CLI option → request field, for the whole-number options. */
    private static final Map<String, String> NUMBERS = Map.of("--pg-count", "pgCount", "--replicas", "replicas",
            "--ensemble", "ensemble", "--write-quorum", "writeQuorum", "--ack-quorum", "ackQuorum");

    private PoolCommand() {
    }

    /** Runs {@code pool ...}; prints to {@code out}. */
    public static void run(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new UsageException("pool needs a subcommand\n" + USAGE);
        }
        CliArgs parsed = CliArgs.parse(args.subList(1, args.size()), Set.of("--api", "--pg-count", "--replicas", "--ensemble",
                "--write-quorum", "--ack-quorum", "--durability", "--failure-domain", "--tier", "--bucket", "--retention"),
                Set.of("--json"));
        String subcommand = args.get(0);
        if (!subcommand.equals("create") && !subcommand.equals("list") && !subcommand.equals("delete")) {
            throw new UsageException("unknown pool subcommand '" + subcommand + "'\n" + USAGE);
        }
        if (!subcommand.equals("create")) {
            refuseCreateOptions(parsed, subcommand);
        }
        ApiClient api = new ApiClient(parsed.option("--api", ApiClient.DEFAULT_API));
        switch (subcommand) {
            case "create" -> create(parsed, api, out);
            case "list" -> list(parsed, api, out);
            default -> delete(parsed, api, out);
        }
    }

    private static void refuseCreateOptions(CliArgs parsed, String subcommand) {
        for (String option : List.of("--pg-count", "--replicas", "--ensemble", "--write-quorum", "--ack-quorum", "--durability",
                "--failure-domain", "--tier", "--bucket", "--retention")) {
            if (parsed.flag(option)) {
                throw new UsageException("pool " + subcommand + " does not take " + option + "\n" + USAGE);
            }
        }
    }

    private static void create(CliArgs args, ApiClient api, PrintStream out) {
        JsonNode pool = api.call("POST", "/api/v1/pools", request(args));
        out.println("created pool " + pool.get("name").asText() + ": " + describe(pool));
        int placed = pool.get("placedPgs").asInt();
        int pgCount = pool.get("pgCount").asInt();
        if (placed < pgCount) {
            out.println("note: " + (pgCount - placed) + " of " + pgCount + " PGs have no nodes yet: the cluster has fewer alive"
                    + " nodes in distinct '" + pool.get("failureDomain").asText() + "' failure domains than the ensemble ("
                    + pool.get("ensemble").asInt() + "); see `ledgerdisk node list`");
        }
    }

    /** The JSON body of {@code POST /api/v1/pools}: only the options given, checked here so typos exit 2. */
    static ObjectNode request(CliArgs args) {
        if (args.positional().size() > 1) {
            throw new UsageException("pool create takes one NAME, got " + args.positional());
        }
        ObjectNode body = ApiClient.json().createObjectNode().put("name", args.required(0, "pool NAME"));
        for (Map.Entry<String, String> number : NUMBERS.entrySet()) {
            if (args.flag(number.getKey())) {
                body.put(number.getValue(), positive(args, number.getKey()));
            }
        }
        checkQuorums(body);
        String durability = choice(args, "--durability", Set.of("immediate", "lazy"));
        if (durability != null) {
            body.put("durability", durability);
        }
        if (args.flag("--failure-domain")) {
            String level = args.option("--failure-domain", "").trim();
            if (level.isEmpty()) {
                throw new UsageException("--failure-domain needs a level such as host or rack");
            }
            body.put("failureDomain", level);
        }
        String tier = choice(args, "--tier", Set.of("local", "s3"));
        boolean s3 = "s3".equals(tier);
        if (s3 != args.flag("--bucket")) {
            throw new UsageException(s3 ? "--tier s3 needs --bucket NAME" : "--bucket is only for --tier s3");
        }
        if (tier != null) {
            body.put("tier", tier);
        }
        if (s3) {
            body.put("bucket", args.option("--bucket", null));
        }
        if (args.flag("--retention")) {
            try {
                body.put("retention", DurationText.parseSeconds(args.option("--retention", null)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--retention: " + e.getMessage());
            }
        }
        return body;
    }

    /** When E or R is given the quorums are fully known here; 1 <= Qa <= Qw <= E is checked at once. */
    private static void checkQuorums(ObjectNode body) {
        if (!body.has("replicas") && !body.has("ensemble")) {
            return;
        }
        PoolRequest request = PoolRequest.fromJson(body);
        PoolRequest.Redundancy r = request.redundancy(1);
        if (r.ackQuorum() > r.writeQuorum() || r.writeQuorum() > r.ensemble()) {
            throw new UsageException("redundancy must satisfy ack quorum <= write quorum <= ensemble; these options give E/Qw/Qa "
                    + r.ensemble() + "/" + r.writeQuorum() + "/" + r.ackQuorum());
        }
    }

    private static int positive(CliArgs args, String option) {
        String text = args.option(option, null);
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a positive whole number; got '" + text + "'");
        }
        if (value < 1) {
            throw new UsageException(option + " must be a positive whole number; got " + value);
        }
        return value;
    }

    private static String choice(CliArgs args, String option, Set<String> allowed) {
        if (!args.flag(option)) {
            return null;
        }
        String value = args.option(option, "").toLowerCase(Locale.ROOT);
        if (!allowed.contains(value)) {
            throw new UsageException(option + " must be " + String.join(" or ", allowed.stream().sorted().toList()) + "; got '"
                    + args.option(option, "") + "'");
        }
        return value;
    }

    private static void list(CliArgs args, ApiClient api, PrintStream out) {
        if (!args.positional().isEmpty()) {
            throw new UsageException("pool list takes no argument '" + args.positional().get(0) + "'");
        }
        JsonNode pools = api.call("GET", "/api/v1/pools", null);
        if (args.flag("--json")) {
            out.println(pools.toPrettyString());
            return;
        }
        out.printf("%-20s %6s %7s %-8s %-10s %-8s %-14s %s%n", "NAME", "PGS", "PLACED", "E/QW/QA", "DURABILITY", "DOMAIN",
                "TIER", "RETENTION");
        for (JsonNode pool : pools) {
            out.printf("%-20s %6d %7d %-8s %-10s %-8s %-14s %s%n", pool.get("name").asText(), pool.get("pgCount").asInt(),
                    pool.get("placedPgs").asInt(), redundancy(pool), pool.get("durability").asText(),
                    pool.get("failureDomain").asText(), tier(pool), pool.get("retention").asText());
        }
    }

    private static void delete(CliArgs args, ApiClient api, PrintStream out) {
        String name = args.required(0, "pool NAME");
        api.call("DELETE", "/api/v1/pools/" + ApiClient.segment(name), null);
        out.println("deleted pool " + name);
    }

    private static String describe(JsonNode pool) {
        return pool.get("pgCount").asInt() + " PGs (" + pool.get("placedPgs").asInt() + " placed), E/Qw/Qa " + redundancy(pool)
                + ", " + pool.get("durability").asText() + " durability, failure domain " + pool.get("failureDomain").asText()
                + ", chunks " + tier(pool) + ", retention " + pool.get("retention").asText();
    }

    private static String redundancy(JsonNode pool) {
        return pool.get("ensemble").asInt() + "/" + pool.get("writeQuorum").asInt() + "/" + pool.get("ackQuorum").asInt();
    }

    private static String tier(JsonNode pool) {
        return pool.hasNonNull("bucket") ? pool.get("tier").asText() + ":" + pool.get("bucket").asText() : pool.get("tier").asText();
    }
}
