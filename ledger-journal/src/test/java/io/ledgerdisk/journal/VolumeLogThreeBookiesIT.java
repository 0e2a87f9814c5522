package io.ledgerdisk.journal;

/** {@link VolumeLogContract} on three bookies (3/3/2). */
class VolumeLogThreeBookiesIT extends VolumeLogContract {
    @Override
    int bookies() {
        return 3;
    }
}
