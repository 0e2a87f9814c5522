package io.ledgerdisk.nbd.device;

import java.util.Objects;

/** One entry of an export listing: the name clients connect with and a human-readable description (may be empty). */
public record ExportSummary(String name, String description) {

    public ExportSummary {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
    }
}
