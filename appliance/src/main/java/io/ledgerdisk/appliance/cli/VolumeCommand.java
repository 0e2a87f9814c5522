package io.ledgerdisk.appliance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ledgerdisk.web.api.ByteSize;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code ledgerdisk volume create|list|delete}: volume administration over the REST API. */
public final class VolumeCommand {

    static final String USAGE = """
            usage: ledgerdisk volume create NAME --size SIZE [--api URL]
                   ledgerdisk volume list [--json] [--api URL]
                   ledgerdisk volume delete NAME [--api URL]
                   ledgerdisk volume compact NAME [--api URL]   fold memory into chunks now
                   ledgerdisk volume verify NAME [--api URL]    scrub every chunk (exit 1 on damage)
                   ledgerdisk volume clone VOL@SNAP NEW [--api URL]   writable copy of a snapshot, nothing copied
                   ledgerdisk volume restore VOL (--at TIME | --seq N) --as NEW [--api URL]
                                                                 VOL as it was at TIME (ISO-8601 UTC, ms) or sequence N
              SIZE takes K, M, G, T (binary units), e.g. 10G; URL defaults to %s
            """.formatted(ApiClient.DEFAULT_API);

    private VolumeCommand() {
    }

    public static void run(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new UsageException("volume needs a subcommand\n" + USAGE);
        }
        if (args.get(0).equals("clone")) {
            SnapshotCommand.clone(args.subList(1, args.size()), out);
            return;
        }
        if (args.get(0).equals("restore")) {
            SnapshotCommand.restore(args.subList(1, args.size()), out);
            return;
        }
        CliArgs parsed = CliArgs.parse(args.subList(1, args.size()), Set.of("--api", "--size"), Set.of("--json"));
        ApiClient api = new ApiClient(parsed.option("--api", ApiClient.DEFAULT_API));
        switch (args.get(0)) {
            case "create" -> create(parsed, api, out);
            case "list" -> list(parsed, api, out);
            case "delete" -> delete(parsed, api, out);
            case "compact" -> compact(parsed, api, out);
            case "verify" -> verify(parsed, api, out);
            default -> throw new UsageException("unknown volume subcommand '" + args.get(0) + "'\n" + USAGE);
        }
    }

    private static void create(CliArgs args, ApiClient api, PrintStream out) {
        String name = args.required(0, "volume NAME");
        String sizeText = args.option("--size", null);
        if (sizeText == null) {
            throw new UsageException("--size is required, e.g. --size 10G");
        }
        long size;
        try {
            size = ByteSize.parse(sizeText);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        ObjectNode body = ApiClient.json().createObjectNode().put("name", name).put("size", size);
        JsonNode volume = api.call("POST", "/api/v1/volumes", body);
        out.println("created volume " + volume.get("name").asText() + " (" + ByteSize.format(volume.get("sizeBytes").asLong())
                + "), attach at " + volume.get("nbdUri").asText());
    }

    private static void list(CliArgs args, ApiClient api, PrintStream out) {
        JsonNode volumes = api.call("GET", "/api/v1/volumes", null);
        if (args.flag("--json")) {
            out.println(volumes.toPrettyString());
            return;
        }
        out.printf("%-24s %10s %8s %12s  %s%n", "NAME", "SIZE", "LEDGERS", "LAST-SEQ", "NBD");
        for (JsonNode v : volumes) {
            out.printf("%-24s %10s %8d %12d  %s%n", v.get("name").asText(), ByteSize.format(v.get("sizeBytes").asLong()),
                    v.get("ledgers").size(), v.get("lastSequence").asLong(), v.get("nbdUri").asText());
        }
    }

    private static void compact(CliArgs args, ApiClient api, PrintStream out) {
        String name = args.required(0, "volume NAME");
        JsonNode m = api.call("POST", "/api/v1/volumes/" + name + "/compact", null);
        out.println("volume " + name + ": manifest v" + m.get("manifestVersion").asLong() + " covers sequence "
                + m.get("coveredSequence").asLong() + ", " + m.get("chunks").asInt() + " chunk(s), "
                + ByteSize.format(m.get("storedBytes").asLong()) + " stored");
    }

    private static void verify(CliArgs args, ApiClient api, PrintStream out) {
        String name = args.required(0, "volume NAME");
        JsonNode v = api.call("POST", "/api/v1/volumes/" + name + "/verify", null);
        out.println("volume " + name + ": manifest v" + v.get("manifestVersion").asLong() + ", " + v.get("chunksChecked").asInt()
                + " chunk(s), " + v.get("framesChecked").asLong() + " frame(s) checked");
        JsonNode problems = v.get("problems");
        if (problems.isEmpty()) {
            out.println("ok");
            return;
        }
        problems.forEach(p -> out.println("BAD: " + p.asText()));
        throw new CommandFailedException(problems.size() + " problem(s) found in volume " + name);
    }

    private static void delete(CliArgs args, ApiClient api, PrintStream out) {
        String name = args.required(0, "volume NAME");
        api.call("DELETE", "/api/v1/volumes/" + name, null);
        out.println("deleted volume " + name);
    }
}
