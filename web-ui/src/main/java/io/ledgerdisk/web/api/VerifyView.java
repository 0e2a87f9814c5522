package io.ledgerdisk.web.api;

import java.util.List;

/**
 * The result of scrubbing a volume's chunks: every frame's CRC32C checked against its bytes.
 *
 * @param name          the volume
 * @param manifestVersion the manifest whose chunks were checked
 * @param chunksChecked how many chunks were read
 * @param framesChecked how many LZ4 frames were checked
 * @param problems      one line per bad frame, header, index or extent (chunk id and file offset)
 */
public record VerifyView(String name, long manifestVersion, int chunksChecked, long framesChecked, List<String> problems) {

    public VerifyView {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
