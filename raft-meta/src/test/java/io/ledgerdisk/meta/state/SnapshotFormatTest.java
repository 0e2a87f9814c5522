package io.ledgerdisk.meta.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ledgerdisk.meta.LedgerRef;
import io.ledgerdisk.meta.command.MetaCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotFormatTest {

    /** A reproducible mix of valid and refused commands. */
    static List<MetaCommand> randomCommands(long seed, int count) {
        Random random = new Random(seed);
        List<MetaCommand> commands = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = "v" + random.nextInt(40);
            switch (random.nextInt(4)) {
                case 0, 1 -> commands.add(new MetaCommand.CreateVolume(name, 512L * (1 + random.nextInt(8)) - random.nextInt(2), i));
                case 2 -> commands.add(new MetaCommand.DeleteVolume(name));
                default -> commands.add(new MetaCommand.AddLedger(1 + random.nextInt(i + 1),
                        new LedgerRef(random.nextInt(20), i, i)));
            }
        }
        return commands;
    }

    @Test
    void roundTripsAFullState() throws IOException {
        MetadataState state = new MetadataState();
        randomCommands(1, 500).forEach(state::apply);
        StateSnapshot snapshot = state.snapshot();
        assertTrue(snapshot.volumes().size() > 5, "the random mix should leave volumes behind");
        assertTrue(snapshot.volumes().stream().anyMatch(v -> !v.volume().ledgers().isEmpty()));

        StateSnapshot decoded = SnapshotFormat.decode(SnapshotFormat.encode(snapshot));
        assertEquals(snapshot, decoded);
        assertEquals(snapshot, MetadataState.restore(decoded).snapshot());
    }

    @Test
    void restoringMidwayThenReplayingGivesTheSameState() throws IOException {
        List<MetaCommand> commands = randomCommands(2, 1000);
        MetadataState straight = new MetadataState();
        commands.forEach(straight::apply);

        MetadataState firstHalf = new MetadataState();
        commands.subList(0, 500).forEach(firstHalf::apply);
        MetadataState restored = MetadataState.restore(SnapshotFormat.decode(SnapshotFormat.encode(firstHalf.snapshot())));
        commands.subList(500, 1000).forEach(restored::apply);

        assertEquals(straight.snapshot(), restored.snapshot());
    }

    @Test
    void refusesNewerFormatsAndEmptyFiles() {
        IOException newer = assertThrows(IOException.class, () -> SnapshotFormat.decode(
                "{\"format\":2,\"state\":{\"nextVolumeId\":1,\"volumes\":[]}}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(newer.getMessage().contains("format 2"));
        assertThrows(IOException.class, () -> SnapshotFormat.decode("{\"format\":1}".getBytes(StandardCharsets.UTF_8)));
    }
}
