package io.ledgerdisk.meta.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.MetaException;
import io.ledgerdisk.meta.VolumeRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandCodecTest {

    @Test
    void commandsRoundTrip() {
        List<MetaCommand> commands = List.of(
                new MetaCommand.CreateVolume("db-1", 1 << 20, 1_700_000_000_000_000L),
                new MetaCommand.DeleteVolume("db-1"),
                new MetaCommand.AddLedger(7, new LedgerRef(42, 1000, 17)),
                new MetaCommand.DeletePool("fast"));
        for (MetaCommand command : commands) {
            assertEquals(command, CommandCodec.decodeCommand(CommandCodec.encode(command)));
        }
    }

    @Test
    void queriesAndRepliesRoundTrip() {
        for (MetaQuery query : List.of(new MetaQuery.ListVolumes(), new MetaQuery.GetVolume("x"))) {
            assertEquals(query, CommandCodec.decodeQuery(CommandCodec.encode(query)));
        }
        VolumeRecord volume = new VolumeRecord(3, "v", 512, 9, List.of(new LedgerRef(1, 0, 2)));
        List<MetaReply> replies = List.of(MetaReply.ok(), MetaReply.of(volume), MetaReply.ofVolumes(List.of(volume, volume)),
                MetaReply.failure(new MetaException(MetaException.Code.NOT_FOUND, "no such volume")),
                MetaReply.failure(new MetaException(MetaException.Code.CONFLICT, "pool 'fast' still has 1 volume(s)")));
        for (MetaReply reply : replies) {
            assertEquals(reply, CommandCodec.decodeReply(CommandCodec.encode(reply)));
        }
    }

    @Test
    void wireFormatIsVersionedJsonWithStableTypeNames() {
        String json = new String(CommandCodec.encode(new MetaCommand.CreateVolume("a", 512, 5)), StandardCharsets.UTF_8);
        assertEquals("{\"v\":1,\"command\":{\"type\":\"create_volume\",\"name\":\"a\",\"sizeBytes\":512,\"createdMicros\":5}}", json);
    }

    @Test
    void deletePoolHasAStableTypeName() {
        String json = new String(CommandCodec.encode(new MetaCommand.DeletePool("fast")), StandardCharsets.UTF_8);
        assertEquals("{\"v\":1,\"command\":{\"type\":\"delete_pool\",\"pool\":\"fast\"}}", json);
    }

    @Test
    void readsOlderLayoutsWithUnknownFields() {
        byte[] bytes = "{\"v\":1,\"command\":{\"type\":\"delete_volume\",\"name\":\"a\",\"reason\":\"later field\"}}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(new MetaCommand.DeleteVolume("a"), CommandCodec.decodeCommand(bytes));
    }

    @Test
    void refusesNewerVersionsAndGarbage() {
        byte[] newer = "{\"v\":2,\"command\":{\"type\":\"delete_volume\",\"name\":\"a\"}}".getBytes(StandardCharsets.UTF_8);
        MetaException tooNew = assertThrows(MetaException.class, () -> CommandCodec.decodeCommand(newer));
        assertEquals(MetaException.Code.INVALID_ARGUMENT, tooNew.code());
        assertTrue(tooNew.getMessage().contains("version 2"), tooNew.getMessage());

        for (String bad : List.of("", "{", "{\"v\":1}", "{\"v\":1,\"command\":{\"type\":\"format_disk\"}}")) {
            MetaException e = assertThrows(MetaException.class,
                    () -> CommandCodec.decodeCommand(bad.getBytes(StandardCharsets.UTF_8)), bad);
            assertEquals(MetaException.Code.INVALID_ARGUMENT, e.code(), bad);
        }
    }

    @Test
    void failedReplyThrowsItsCode() {
        MetaReply reply = MetaReply.failure(new MetaException(MetaException.Code.ALREADY_EXISTS, "volume 'a' already exists"));
        MetaException e = assertThrows(MetaException.class, reply::orThrow);
        assertEquals(MetaException.Code.ALREADY_EXISTS, e.code());
        assertEquals("volume 'a' already exists", e.getMessage());
    }
}
