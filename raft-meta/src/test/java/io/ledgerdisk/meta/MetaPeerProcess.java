package io.ledgerdisk.meta;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A metadata peer in its own JVM, for the HA test. Arguments: {@code SELF_ID STORAGE_DIR STATUS_FILE
 * id=host:port,...}. Every 50 ms it writes its role ({@code LEADER}, {@code READY} or
 * {@code STARTING}) to the status file; it stops when its standard input closes (the test ended)
 * or when it is killed.
 */
public final class MetaPeerProcess {

    private MetaPeerProcess() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String selfId = args[0];
        Path storage = Path.of(args[1]);
        Path status = Path.of(args[2]);
        List<MetaPeer> peers = parsePeers(args[3]);
        MetaPeer self = peers.stream().filter(p -> p.id().equals(selfId)).findFirst().orElseThrow();
        try (MetaServer server = MetaServer.start(new MetaServerConfig(self, peers, storage))) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    while (in.read() >= 0) {
                        // Only the end of the stream matters.
                    }
                } catch (IOException e) {
                    System.err.println("stdin of " + selfId + " failed: " + e);
                }
            }, "stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
            while (watcher.isAlive()) {
                String role = server.isLeader() && server.isReady() ? "LEADER" : server.isReady() ? "READY" : "STARTING";
                Path tmp = status.resolveSibling(status.getFileName() + ".tmp");
                Files.writeString(tmp, role, StandardCharsets.UTF_8);
                Files.move(tmp, status, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Thread.sleep(50);
            }
        }
    }

    static List<MetaPeer> parsePeers(String spec) {
        List<MetaPeer> peers = new ArrayList<>();
        for (String entry : spec.split(",")) {
            String[] idAndAddress = entry.split("=", 2);
            String[] hostAndPort = idAndAddress[1].split(":", 2);
            peers.add(new MetaPeer(idAndAddress[0], hostAndPort[0], Integer.parseInt(hostAndPort[1])));
        }
        return peers;
    }

    static String formatPeers(List<MetaPeer> peers) {
        return String.join(",", peers.stream().map(p -> p.id() + "=" + p.address()).toList());
    }
}
