package io.ledgerdisk.web.api;

import java.util.List;

/**
 * What one garbage collection did.
 *
 * @param trimmedVersions manifest versions dropped from volumes' histories (outside the retention asked for, unpinned)
 * @param deleted         chunk and stored-manifest objects deleted
 * @param bytesFreed      their total size
 * @param reachable       objects kept because a volume, snapshot or clone reaches them
 */
public record GarbageView(int trimmedVersions, List<String> deleted, long bytesFreed, int reachable) {
}
