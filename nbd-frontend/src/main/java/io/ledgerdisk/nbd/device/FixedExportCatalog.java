package io.ledgerdisk.nbd.device;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable catalog of exports fixed at construction, e.g. for tests, benchmarks and the embedded mode.
 * Thread-safe.
 */
public final class FixedExportCatalog implements ExportCatalog {

    private record Entry(ExportSummary summary, BlockDevice device) {
    }

    private final Map<String, Entry> entries;
    private final List<String> order;

    private FixedExportCatalog(Map<String, Entry> entries) {
        this.entries = Map.copyOf(entries);
        this.order = List.copyOf(entries.keySet());
    }

    /** A catalog with a single export. */
    public static FixedExportCatalog of(String name, String description, BlockDevice device) {
        return builder().add(name, description, device).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<ExportSummary> list() {
        List<ExportSummary> summaries = new ArrayList<>(order.size());
        for (String name : order) {
            summaries.add(entries.get(name).summary());
        }
        return summaries;
    }

    @Override
    public Optional<BlockDevice> find(String exportName) {
        Entry entry = entries.get(exportName);
        return entry == null ? Optional.empty() : Optional.of(entry.device());
    }

    /** Collects exports in listing order; names must be unique. */
    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder add(String name, String description, BlockDevice device) {
            if (entries.putIfAbsent(name, new Entry(new ExportSummary(name, description), device)) != null) {
                throw new IllegalArgumentException("duplicate export name '" + name + "'");
            }
            return this;
        }

        public FixedExportCatalog build() {
            return new FixedExportCatalog(entries);
        }
    }
}
