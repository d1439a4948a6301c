package io.facestream.registry;

import java.io.IOException;

/** The schema registry did not answer, or refused a request; the message says which and why. */
public final class SchemaRegistryException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final Integer errorCode;

    SchemaRegistryException(int status, Integer errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code} (e.g. 409 incompatible, 42201 invalid schema), when it gave one. */
    public Integer errorCode() {
        return errorCode;
    }

    public boolean isUnreachable() {
        return status == 0;
    }

    /** No answer because the TLS handshake failed: most often a certificate this side does not trust. */
    public boolean isTlsFailure() {
        return status == 0 && getCause() instanceof javax.net.ssl.SSLException;
    }
}
