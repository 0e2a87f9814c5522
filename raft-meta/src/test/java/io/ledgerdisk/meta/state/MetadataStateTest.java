package io.ledgerdisk.meta.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.VolumeRecord;
import io.ledgerdisk.meta.command.MetaCommand;
import io.ledgerdisk.meta.command.MetaQuery;
import io.ledgerdisk.meta.command.MetaReply;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataStateTest {

    private final MetadataState state = new MetadataState();

    private VolumeRecord create(String name, long size) {
        MetaReply reply = state.apply(new MetaCommand.CreateVolume(name, size, 100));
        assertFalse(reply.failed(), () -> reply.message());
        return reply.volume();
    }

    private MetaException.Code refusal(MetaCommand command) {
        StateSnapshot before = state.snapshot();
        MetaReply reply = state.apply(command);
        assertTrue(reply.failed(), () -> command + " should be refused");
        assertFalse(reply.message().isBlank());
        assertEquals(before, state.snapshot(), "a refused command must not change the state");
        return reply.error();
    }

    @Test
    void createAssignsIncreasingIdsNeverReused() {
        assertEquals(1, create("a", 512).id());
        assertEquals(2, create("b", 1024).id());
        state.apply(new MetaCommand.DeleteVolume("b"));
        assertEquals(3, create("b", 1024).id());
        VolumeRecord a = state.volumes().byName("a").orElseThrow();
        assertEquals(new VolumeRecord(1, "a", 512, 100, List.of()), a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A", "-a", ".a", "_a", "a@snap", "a b", "a/b", "é",
        "a234567890123456789012345678901234567890123456789012345678901234"})
    void refusesInvalidNames(String name) {
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.CreateVolume(name, 512, 1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "a", "db.prod_01-x", "a23456789012345678901234567890123456789012345678901234567890123"})
    void acceptsValidNames(String name) {
        assertEquals(name, create(name, 512).name());
    }

    @Test
    void refusesNullName() {
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.CreateVolume(null, 512, 1)));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -512, 1, 511, 513, 4097})
    void refusesSizesThatAreNotPositiveSectorMultiples(long size) {
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.CreateVolume("v", size, 1)));
    }

    @Test
    void refusesDuplicatesAndMissingVolumes() {
        create("a", 512);
        assertEquals(MetaException.Code.ALREADY_EXISTS, refusal(new MetaCommand.CreateVolume("a", 1024, 2)));
        assertEquals(MetaException.Code.NOT_FOUND, refusal(new MetaCommand.DeleteVolume("b")));
        assertEquals(MetaException.Code.NOT_FOUND, refusal(new MetaCommand.AddLedger(99, new LedgerRef(1, 0, 0))));
    }

    @Test
    void deleteRemovesByNameAndId() {
        VolumeRecord a = create("a", 512);
        assertEquals(a, state.apply(new MetaCommand.DeleteVolume("a")).volume());
        assertTrue(state.volumes().byName("a").isEmpty());
        assertTrue(state.volumes().byId(a.id()).isEmpty());
        assertEquals(MetaException.Code.NOT_FOUND, refusal(new MetaCommand.AddLedger(a.id(), new LedgerRef(1, 0, 0))));
    }

    @Test
    void addLedgerAppendsAndIsIdempotent() {
        VolumeRecord a = create("a", 512);
        LedgerRef first = new LedgerRef(10, 0, 5);
        LedgerRef second = new LedgerRef(11, 300, 6);
        state.apply(new MetaCommand.AddLedger(a.id(), first));
        VolumeRecord afterSecond = state.apply(new MetaCommand.AddLedger(a.id(), second)).volume();
        assertEquals(List.of(first, second), afterSecond.ledgers());

        MetaReply retried = state.apply(new MetaCommand.AddLedger(a.id(), second));
        assertFalse(retried.failed());
        assertEquals(afterSecond, retried.volume());
        assertEquals(afterSecond, state.volumes().byId(a.id()).orElseThrow());
    }

    @Test
    void trimLedgersDropsTheOldestButNeverTheNewest() {
        VolumeRecord a = create("a", 4096);
        for (long id = 1; id <= 3; id++) {
            state.apply(new MetaCommand.AddLedger(a.id(), new LedgerRef(id, id * 100, id)));
        }
        VolumeRecord trimmed = state.apply(new MetaCommand.TrimLedgers(a.id(), List.of(1L, 2L))).volume();
        assertEquals(List.of(3L), trimmed.ledgers().stream().map(LedgerRef::ledgerId).toList());
        assertEquals(trimmed, state.apply(new MetaCommand.TrimLedgers(a.id(), List.of(1L, 2L))).volume(), "a retry is a no-op");
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.TrimLedgers(a.id(), List.of(3L))));
        state.apply(new MetaCommand.AddLedger(a.id(), new LedgerRef(4, 400, 4)));
        state.apply(new MetaCommand.AddLedger(a.id(), new LedgerRef(5, 500, 5)));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.TrimLedgers(a.id(), List.of(4L))),
                "only the oldest ledgers can go");
    }

    @Test
    void addLedgerRefusesConflictsAndGoingBackwards() {
        VolumeRecord a = create("a", 512);
        state.apply(new MetaCommand.AddLedger(a.id(), new LedgerRef(10, 100, 5)));
        assertEquals(MetaException.Code.ALREADY_EXISTS, refusal(new MetaCommand.AddLedger(a.id(), new LedgerRef(10, 200, 5))));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.AddLedger(a.id(), new LedgerRef(11, 99, 5))));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.AddLedger(a.id(), new LedgerRef(-1, 200, 5))));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, refusal(new MetaCommand.AddLedger(a.id(), null)));
    }

    @Test
    void queriesListInNameOrderAndFindByName() {
        create("b", 512);
        create("a", 512);
        List<VolumeRecord> listed = state.query(new MetaQuery.ListVolumes()).volumes();
        assertEquals(List.of("a", "b"), listed.stream().map(VolumeRecord::name).toList());
        assertEquals("b", state.query(new MetaQuery.GetVolume("b")).volume().name());
        assertNull(state.query(new MetaQuery.GetVolume("zz")).volume());
    }
}
