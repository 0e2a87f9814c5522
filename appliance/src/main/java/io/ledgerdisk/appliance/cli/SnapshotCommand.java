package io.ledgerdisk.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ledgerdisk.web.api.ByteSize;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code ledgerdisk snapshot create|list|delete}, {@code ledgerdisk volume clone|restore} and
 * {@code ledgerdisk gc}: snapshots, clones, point-in-time restores and garbage collection over the
 * REST API.
 */
public final class SnapshotCommand {

    static final String USAGE = """
            usage: ledgerdisk snapshot create VOL SNAP [--api URL]   fold VOL and pin it as VOL@SNAP (read-only NBD export)
                   ledgerdisk snapshot list VOL [--json] [--api URL]
                   ledgerdisk snapshot delete VOL SNAP [--api URL]
              URL defaults to %s
            """.formatted(ApiClient.DEFAULT_API);

    static final String CLONE_USAGE = """
            usage: ledgerdisk volume clone VOL@SNAP NEW [--api URL]
                   ledgerdisk volume restore VOL (--at TIME | --seq N) --as NEW [--api URL]
              TIME is ISO-8601 UTC with milliseconds, e.g. 2026-11-22T10:15:30.250Z
            """;

    static final String GC_USAGE = """
            usage: ledgerdisk gc [--retention PERIOD] [--api URL]
              delete chunks no volume, snapshot or clone reaches; with --retention (e.g. 24h, 0) first drop
              unpinned manifest versions older than PERIOD (restores before then become impossible)
            """;

    private SnapshotCommand() {
    }

    /** {@code snapshot SUBCOMMAND ...}. */
    public static void run(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new UsageException("snapshot needs a subcommand\n" + USAGE);
        }
        CliArgs parsed = CliArgs.parse(args.subList(1, args.size()), Set.of("--api"), Set.of("--json"));
        ApiClient api = new ApiClient(parsed.option("--api", ApiClient.DEFAULT_API));
        switch (args.get(0)) {
            case "create" -> create(parsed, api, out);
            case "list" -> list(parsed, api, out);
            case "delete" -> delete(parsed, api, out);
            default -> throw new UsageException("unknown snapshot subcommand '" + args.get(0) + "'\n" + USAGE);
        }
    }

    private static void create(CliArgs args, ApiClient api, PrintStream out) {
        String volume = args.required(0, "VOL");
        String name = args.required(1, "SNAP");
        JsonNode s = api.call("POST", "/api/v1/volumes/" + ApiClient.segment(volume) + "/snapshots",
                ApiClient.json().createObjectNode().put("name", name));
        out.println("snapshot " + s.get("export").asText() + " pins manifest v" + s.get("manifestVersion").asLong()
                + " (sequence " + s.get("coveredSequence").asLong() + "), read-only at " + s.get("nbdUri").asText());
    }

    private static void list(CliArgs args, ApiClient api, PrintStream out) {
        String volume = args.required(0, "VOL");
        JsonNode snapshots = api.call("GET", "/api/v1/volumes/" + ApiClient.segment(volume) + "/snapshots", null);
        if (args.flag("--json")) {
            out.println(snapshots.toPrettyString());
            return;
        }
        out.printf("%-24s %9s %12s  %-24s  %s%n", "SNAPSHOT", "MANIFEST", "SEQUENCE", "CREATED", "NBD");
        for (JsonNode s : snapshots) {
            out.printf("%-24s %9s %12d  %-24s  %s%n", s.get("name").asText(), "v" + s.get("manifestVersion").asLong(),
                    s.get("coveredSequence").asLong(), s.get("created").asText(), s.get("nbdUri").asText());
        }
    }

    private static void delete(CliArgs args, ApiClient api, PrintStream out) {
        String volume = args.required(0, "VOL");
        String name = args.required(1, "SNAP");
        api.call("DELETE", "/api/v1/volumes/" + ApiClient.segment(volume) + "/snapshots/" + ApiClient.segment(name), null);
        out.println("deleted snapshot " + volume + "@" + name);
    }

    /** {@code volume clone VOL@SNAP NEW}. */
    static void clone(List<String> args, PrintStream out) {
        CliArgs parsed = CliArgs.parse(args, Set.of("--api"), Set.of());
        String source = parsed.required(0, "VOL@SNAP");
        String name = parsed.required(1, "NEW");
        int at = source.indexOf('@');
        if (at <= 0 || at == source.length() - 1) {
            throw new UsageException("'" + source + "' is not VOL@SNAP\n" + CLONE_USAGE);
        }
        ApiClient api = new ApiClient(parsed.option("--api", ApiClient.DEFAULT_API));
        ObjectNode body = ApiClient.json().createObjectNode().put("snapshot", source.substring(at + 1)).put("name", name);
        JsonNode v = api.call("POST", "/api/v1/volumes/" + ApiClient.segment(source.substring(0, at)) + "/clone", body);
        out.println("created volume " + name + " from " + v.get("origin").asText() + " in " + v.get("millis").asLong()
                + " ms, attach at " + v.get("nbdUri").asText());
    }

    /** {@code volume restore VOL --at TIME|--seq N --as NEW}. */
    static void restore(List<String> args, PrintStream out) {
        CliArgs parsed = CliArgs.parse(args, Set.of("--api", "--at", "--seq", "--as"), Set.of());
        String volume = parsed.required(0, "VOL");
        String name = parsed.option("--as", null);
        String at = parsed.option("--at", null);
        String seq = parsed.option("--seq", null);
        if (name == null) {
            throw new UsageException("--as NEW is required: the restore goes to a new volume\n" + CLONE_USAGE);
        }
        if ((at == null) == (seq == null)) {
            throw new UsageException("give exactly one of --at TIME and --seq N\n" + CLONE_USAGE);
        }
        ObjectNode body = ApiClient.json().createObjectNode().put("name", name);
        if (at != null) {
            try {
                java.time.Instant.parse(at);
            } catch (java.time.format.DateTimeParseException e) {
                throw new UsageException("--at '" + at + "' is not ISO-8601 UTC like 2026-11-22T10:15:30.250Z");
            }
            body.put("at", at);
        } else {
            try {
                body.put("seq", Long.parseLong(seq));
            } catch (NumberFormatException e) {
                throw new UsageException("--seq '" + seq + "' is not a log sequence number");
            }
        }
        ApiClient api = new ApiClient(parsed.option("--api", ApiClient.DEFAULT_API));
        JsonNode v = api.call("POST", "/api/v1/volumes/" + ApiClient.segment(volume) + "/restore", body);
        out.println("restored volume " + name + " from " + v.get("origin").asText() + " (manifest v"
                + v.get("baseManifestVersion").asLong() + " + " + v.get("foldedRecords").asLong() + " record(s)) in "
                + v.get("millis").asLong() + " ms, attach at " + v.get("nbdUri").asText());
    }

    /** {@code gc [--retention PERIOD]}. */
    public static void gc(List<String> args, PrintStream out) {
        CliArgs parsed = CliArgs.parse(args, Set.of("--api", "--retention"), Set.of());
        ObjectNode body = ApiClient.json().createObjectNode();
        String retention = parsed.option("--retention", null);
        if (retention != null) {
            body.put("retention", retention);
        }
        ApiClient api = new ApiClient(parsed.option("--api", ApiClient.DEFAULT_API));
        JsonNode g = api.call("POST", "/api/v1/gc", body);
        out.println("trimmed " + g.get("trimmedVersions").asInt() + " manifest version(s), deleted " + g.get("deleted").size()
                + " object(s), " + ByteSize.format(g.get("bytesFreed").asLong()) + " freed, " + g.get("reachable").asInt()
                + " reachable");
        g.get("deleted").forEach(id -> out.println("deleted " + id.asText()));
    }
}
