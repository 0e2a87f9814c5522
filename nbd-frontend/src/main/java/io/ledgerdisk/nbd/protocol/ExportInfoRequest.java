package io.ledgerdisk.nbd.protocol;

import java.util.List;

/**
 * The data of {@code NBD_OPT_INFO} and {@code NBD_OPT_GO}: an export name and the information types asked for.
 *
 * @param exportName       the export, empty for the default export
 * @param informationTypes {@code NbdHandshake.INFO_*} values requested by the client, in request order
 */
public record ExportInfoRequest(String exportName, List<Integer> informationTypes) {

    public ExportInfoRequest {
        informationTypes = List.copyOf(informationTypes);
    }
}
