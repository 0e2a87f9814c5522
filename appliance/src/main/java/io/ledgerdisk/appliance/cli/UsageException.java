package io.ledgerdisk.appliance.cli;

/** The command line is wrong; the message says how. Exit status 2. */
public final class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
