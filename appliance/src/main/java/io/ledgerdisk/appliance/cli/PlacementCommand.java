package io.ledgerdisk.appliance.cli;

import io.ledgerdisk.meta.placement.PlacementSimulator;
import io.ledgerdisk.meta.placement.SimulationReport;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ledgerdisk placement simulate}: the operator's placement tool (like Ceph's
 * {@code osdmaptool --test-map-pgs}). Runs {@link PlacementSimulator} in this process; no node
 * is needed. With {@code --json} stdout carries exactly one JSON object, so scripts can parse it.
 */
public final class PlacementCommand {

    static final String USAGE = """
            usage: ledgerdisk placement simulate --nodes N --domains D --pg-count P --replicas R
                                                 [--remove K] [--weights w1,w2,...] [--seed S] [--json]
              places P PGs of R copies on N nodes spread round-robin over D failure domains, removes K
              nodes (chosen with seed S) and re-places; prints uniformity, failure-domain violations and
              the PG copies moved against the lower bound. --weights gives one weight per node (default 1).
            """;

    /** Largest cluster the tool accepts; the placement engine is measured up to 1000 nodes. */
    static final int MAX_NODES = 100_000;
    /** Largest pool the tool accepts, the same bound as the metadata's {@code PoolTable.MAX_PGS}. */
    static final int MAX_PGS = 1 << 16;

    private PlacementCommand() {
    }

    /** Runs {@code placement simulate ...}; prints to {@code out}. */
    public static void run(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new UsageException("placement needs a subcommand\n" + USAGE);
        }
        if (!args.get(0).equals("simulate")) {
            throw new UsageException("unknown placement subcommand '" + args.get(0) + "'\n" + USAGE);
        }
        Simulation simulation = parse(args.subList(1, args.size()));
        SimulationReport report;
        try {
            report = PlacementSimulator.simulate(simulation.nodes(), simulation.domains(), simulation.pgCount(),
                    simulation.replicas(), simulation.remove(), simulation.weights(), simulation.seed());
        } catch (IllegalArgumentException e) {
            // The cluster the arguments describe cannot hold the pool (e.g. too few weighted domains left).
            throw new UsageException(e.getMessage());
        }
        if (simulation.json()) {
            out.println(report.toJson());
        } else {
            out.print(readable(simulation, report));
        }
    }

    /**
     * A parsed, validated {@code simulate} command line.
     *
     * @param weights one per node, or null for all 1.0
     */
    record Simulation(int nodes, int domains, int pgCount, int replicas, int remove, double[] weights, long seed,
                      boolean json) {
    }

    static Simulation parse(List<String> args) {
        CliArgs parsed = CliArgs.parse(args,
                Set.of("--nodes", "--domains", "--pg-count", "--replicas", "--remove", "--weights", "--seed"), Set.of("--json"));
        if (!parsed.positional().isEmpty()) {
            throw new UsageException("placement simulate takes no argument '" + parsed.positional().get(0) + "'\n" + USAGE);
        }
        int nodes = requiredInt(parsed, "--nodes", 1, MAX_NODES);
        int domains = requiredInt(parsed, "--domains", 1, nodes);
        int pgCount = requiredInt(parsed, "--pg-count", 1, MAX_PGS);
        int replicas = requiredInt(parsed, "--replicas", 1, domains);
        int remove = parsed.flag("--remove") ? intOption(parsed, "--remove", 0, nodes - 1) : 0;
        if (nodes - remove < replicas) {
            throw new UsageException("--remove " + remove + " leaves " + (nodes - remove) + " node(s), fewer than --replicas "
                    + replicas);
        }
        double[] weights = parsed.flag("--weights") ? weights(parsed.option("--weights", ""), nodes) : null;
        long seed = 1;
        if (parsed.flag("--seed")) {
            try {
                seed = Long.parseLong(parsed.option("--seed", null));
            } catch (NumberFormatException e) {
                throw new UsageException("--seed must be an integer; got '" + parsed.option("--seed", null) + "'");
            }
        }
        return new Simulation(nodes, domains, pgCount, replicas, remove, weights, seed, parsed.flag("--json"));
    }

    private static int requiredInt(CliArgs parsed, String name, int min, int max) {
        if (!parsed.flag(name)) {
            throw new UsageException(name + " is required\n" + USAGE);
        }
        return intOption(parsed, name, min, max);
    }

    private static int intOption(CliArgs parsed, String name, int min, int max) {
        String text = parsed.option(name, null);
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a whole number; got '" + text + "'");
        }
        if (value < min || value > max) {
            throw new UsageException(name + " must be between " + min + " and " + max + rangeReason(name) + "; got " + value);
        }
        return value;
    }

    private static String rangeReason(String name) {
        return switch (name) {
            case "--domains" -> " (at most one domain per node)";
            case "--replicas" -> " (copies of a PG need distinct failure domains)";
            case "--remove" -> " (at least one node must stay)";
            default -> "";
        };
    }

    private static double[] weights(String text, int nodes) {
        String[] parts = text.split(",", -1);
        if (parts.length != nodes) {
            throw new UsageException("--weights has " + parts.length + " value(s) but --nodes is " + nodes
                    + "; give one weight per node, e.g. --weights 1,1,2");
        }
        double[] weights = new double[nodes];
        for (int i = 0; i < nodes; i++) {
            try {
                weights[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--weights: '" + parts[i] + "' (node " + i + ") is not a number");
            }
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                throw new UsageException("--weights: node " + i + " has weight " + parts[i] + "; weights must be finite and >= 0");
            }
        }
        return weights;
    }

    /** The simulator's summary and one line per remaining node: domain, weight, copies and load relative to the mean. */
    static String readable(Simulation simulation, SimulationReport report) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%d nodes in %d failure domains, %d PGs x %d copies, %d node(s) removed (seed %d)%n",
                simulation.nodes(), simulation.domains(), simulation.pgCount(), simulation.replicas(), simulation.remove(),
                simulation.seed()));
        text.append(report.toReport());
        double totalWeight = 0;
        long totalCopies = 0;
        for (Map.Entry<String, Integer> load : report.loads().entrySet()) {
            totalWeight += weightOf(simulation, load.getKey());
            totalCopies += load.getValue();
        }
        double copiesPerWeight = totalWeight == 0 ? 0 : totalCopies / totalWeight;
        text.append(String.format(Locale.ROOT, "%n%-12s %-12s %8s %8s %9s%n", "NODE", "DOMAIN", "WEIGHT", "COPIES", "VS-MEAN"));
        for (Map.Entry<String, Integer> load : report.loads().entrySet()) {
            double weight = weightOf(simulation, load.getKey());
            double expected = weight * copiesPerWeight;
            String vsMean = expected == 0 ? "-" : String.format(Locale.ROOT, "%.3f", load.getValue() / expected);
            text.append(String.format(Locale.ROOT, "%-12s %-12s %8.3f %8d %9s%n", load.getKey(),
                    "domain-" + (index(load.getKey()) % simulation.domains()), weight, load.getValue(), vsMean));
        }
        return text.toString();
    }

    private static double weightOf(Simulation simulation, String node) {
        return simulation.weights() == null ? 1.0 : simulation.weights()[index(node)];
    }

    /** The simulator names node i {@code node-i}. */
    private static int index(String node) {
        return Integer.parseInt(node.substring(node.lastIndexOf('-') + 1));
    }
}
