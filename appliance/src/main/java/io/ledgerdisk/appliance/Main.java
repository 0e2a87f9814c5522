package io.ledgerdisk.appliance;

import io.ledgerdisk.appliance.cli.CommandFailedException;
import io.ledgerdisk.appliance.cli.DevCommand;
import io.ledgerdisk.appliance.cli.NodeCommand;
import io.ledgerdisk.appliance.cli.PgCommand;
import io.ledgerdisk.appliance.cli.SnapshotCommand;
import io.ledgerdisk.appliance.cli.PlacementCommand;
import io.ledgerdisk.appliance.cli.PoolCommand;
import io.ledgerdisk.appliance.cli.UsageException;
import io.ledgerdisk.appliance.cli.VolumeCommand;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/ledgerdisk}: the node daemon and the operator's CLI. Exit status 0 on success,
 * 1 when the node refused or failed the command, 2 when the command line is wrong.
 */
public final class Main {

    private static final String USAGE = """
            usage: ledgerdisk COMMAND ...
              dev [--data DIR] [--nbd HOST:PORT] [--http HOST:PORT] [--bookies N] [--durability immediate|lazy] [--config FILE]
                                     run the embedded single-machine appliance
              volume create NAME --size SIZE | list | delete NAME | compact NAME | verify NAME  [--api URL]
                                     administer volumes on a running node
              placement simulate --nodes N --domains D --pg-count P --replicas R [--remove K]
                                 [--weights w1,w2,...] [--seed S] [--json]
                                     test placement on a synthetic cluster (no node needed)
              pool create NAME [--pg-count N] [--replicas R] [--durability immediate|lazy] [--tier local|s3] ...
              pool list | pool delete NAME | node list | pg map POOL   [--api URL]
                                     administer pools, list nodes and PG maps on a running node
              snapshot create VOL SNAP | list VOL | delete VOL SNAP  [--api URL]
              volume clone VOL@SNAP NEW | volume restore VOL (--at TIME | --seq N) --as NEW  [--api URL]
              gc [--retention PERIOD]  [--api URL]
                                     snapshots (read-only exports VOL@SNAP), clones, point-in-time restore, chunk GC
            """;

    private Main() {
    }

    public static void main(String[] args) {
        List<String> words = Arrays.asList(args);
        int status;
        try {
            status = run(words);
        } catch (UsageException e) {
            System.err.println("ledgerdisk: " + e.getMessage());
            status = 2;
        } catch (CommandFailedException e) {
            System.err.println("ledgerdisk: " + e.getMessage());
            status = 1;
        } catch (Exception e) {
            System.err.println("ledgerdisk: " + e);
            status = 1;
        }
        System.exit(status);
    }

    private static int run(List<String> words) throws Exception {
        if (words.isEmpty() || words.get(0).equals("help") || words.get(0).equals("--help")) {
            System.out.print(USAGE);
            return words.isEmpty() ? 2 : 0;
        }
        List<String> rest = words.subList(1, words.size());
        switch (words.get(0)) {
            case "dev" -> DevCommand.run(rest);
            case "volume" -> VolumeCommand.run(rest, System.out);
            case "placement" -> PlacementCommand.run(rest, System.out);
            case "pool" -> PoolCommand.run(rest, System.out);
            case "node" -> NodeCommand.run(rest, System.out);
            case "pg" -> PgCommand.run(rest, System.out);
            case "snapshot" -> SnapshotCommand.run(rest, System.out);
            case "gc" -> SnapshotCommand.gc(rest, System.out);
            default -> throw new UsageException("unknown command '" + words.get(0) + "'\n" + USAGE);
        }
        return 0;
    }
}
