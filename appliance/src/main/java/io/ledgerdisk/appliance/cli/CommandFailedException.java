package io.ledgerdisk.appliance.cli;

/** The node refused or failed a command; the message is the node's. Exit status 1. */
public final class CommandFailedException extends RuntimeException {

    public CommandFailedException(String message) {
        super(message);
    }

    public CommandFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
