package io.ledgerdisk.appliance.volume;

import io.ledgerdisk.nbd.device.AllocationExtent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the allocation of a byte range from layers painted bottom to top (chunks, then frozen
 * memtables, then the active memtable): each layer paints the ranges it holds as data or as a
 * hole, and what no layer holds stays a hole. Not thread-safe; one per request.
 */
final class AllocationPainter {

    private record Run(long start, long end, boolean hole) {
    }

    private final long start;
    private final long end;
    private final TreeMap<Long, Run> runs = new TreeMap<>();

    AllocationPainter(long offset, long length) {
        this.start = offset;
        this.end = offset + length;
        runs.put(start, new Run(start, end, true));
    }

    /** Paints [from, to) (clipped to the range) as data or hole, over whatever was painted before. */
    void paint(long from, long to, boolean hole) {
        from = Math.max(from, start);
        to = Math.min(to, end);
        if (from >= to) {
            return;
        }
        Map.Entry<Long, Run> floor = runs.floorEntry(from);
        List<Run> overlapped = new ArrayList<>();
        if (floor != null && floor.getValue().end() > from) {
            overlapped.add(floor.getValue());
        }
        overlapped.addAll(runs.subMap(from, false, to, false).values());
        for (Run old : overlapped) {
            runs.remove(old.start());
            if (old.start() < from) {
                runs.put(old.start(), new Run(old.start(), from, old.hole()));
            }
            if (old.end() > to) {
                runs.put(to, new Run(to, old.end(), old.hole()));
            }
        }
        runs.put(from, new Run(from, to, hole));
    }

    /** The painted range as consecutive extents, neighbours of the same kind merged. */
    List<AllocationExtent> extents() {
        List<AllocationExtent> result = new ArrayList<>();
        long runStart = start;
        Boolean runHole = null;
        for (Run run : runs.values()) {
            if (runHole != null && runHole != run.hole()) {
                result.add(new AllocationExtent(run.start() - runStart, runHole, runHole));
                runStart = run.start();
            }
            runHole = run.hole();
        }
        result.add(new AllocationExtent(end - runStart, runHole, runHole));
        return result;
    }
}
