package io.ledgerdisk.appliance.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real client program (qemu-io, nbdinfo, bin/ledgerdisk, ...) and captures what it printed. */
final class ExternalCommand {

    /** What a finished command returned and printed (stdout and stderr merged). */
    record Result(List<String> command, int exitCode, String output) {
        Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    private ExternalCommand() {
    }

    static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        List<String> words = List.of(command);
        Path output = Files.createTempFile("ledgerdisk-cmd", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(words)).redirectErrorStream(true).redirectOutput(output.toFile());
            // pyenv's python shadows Debian's, which nbdsh's libnbd bindings need (STACK.md).
            Map<String, String> env = builder.environment();
            env.put("PATH", "/usr/bin:/usr/sbin:/bin:/sbin:" + env.getOrDefault("PATH", ""));
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", words) + " did not finish within " + timeout + ":\n" + Files.readString(output));
            }
            return new Result(words, process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    static Result run(String... command) throws IOException, InterruptedException {
        return run(Duration.ofMinutes(2), command);
    }
}
