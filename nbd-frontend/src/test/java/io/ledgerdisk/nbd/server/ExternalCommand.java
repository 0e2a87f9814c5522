package io.ledgerdisk.nbd.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real NBD client tool with a time limit and captures its combined output (blocking; tests only). */
final class ExternalCommand {

    record Result(int exitCode, String output) {
    }

    private ExternalCommand() {
    }

    /** Runs with /usr/bin first on PATH (nbdsh needs the system python, see STACK.md). */
    static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("nbd-client", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("PATH", "/usr/bin:/bin:" + System.getenv("PATH"));
            builder.environment().put("LIBNBD_DEBUG", "0");
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Result(-1, "timed out after " + timeoutSeconds + " s: " + command + "\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Runs and fails with the tool's output unless it exits 0. */
    static String succeed(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Result result = run(command, timeoutSeconds);
        if (result.exitCode() != 0) {
            throw new AssertionError("exit " + result.exitCode() + " from " + command + ":\n" + result.output());
        }
        return result.output();
    }
}
