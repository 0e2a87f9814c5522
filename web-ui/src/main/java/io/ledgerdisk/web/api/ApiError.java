package io.ledgerdisk.web.api;

/**
 * A request the control plane refused, with the HTTP status it maps to and a message a
 * person can act on.
 */
public class ApiError extends RuntimeException {

    /** Why a request was refused. */
    public enum Kind {
        BAD_REQUEST(400), NOT_FOUND(404), METHOD_NOT_ALLOWED(405), CONFLICT(409), UNAVAILABLE(503);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;

    public ApiError(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
