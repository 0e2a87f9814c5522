package io.ledgerdisk.nbd.device;

import java.util.List;
import java.util.Optional;

/** What the server may export, looked up by export name. Implementations must be thread-safe and must not block. */
public interface ExportCatalog {

    /** The exports announced to {@code NBD_OPT_LIST}. */
    List<ExportSummary> list();

    /** The device for an export name; the empty name is the default export (proto.md "NBD_OPT_EXPORT_NAME"). */
    Optional<BlockDevice> find(String exportName);

    /** A human-readable description for an export, sent as {@code NBD_INFO_DESCRIPTION}; empty if none. */
    default Optional<String> describe(String exportName) {
        return list().stream()
                .filter(summary -> summary.name().equals(exportName))
                .map(ExportSummary::description)
                .filter(description -> !description.isEmpty())
                .findFirst();
    }
}
