package io.ledgerdisk.journal;

/** {@link VolumeLogContract} on a single bookie (1/1/1). */
class VolumeLogOneBookieIT extends VolumeLogContract {
    @Override
    int bookies() {
        return 1;
    }
}
