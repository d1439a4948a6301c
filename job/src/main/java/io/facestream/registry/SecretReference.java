package io.facestream.registry;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a secret is kept, never the secret itself: {@code file:PATH} (the file's text, less a
 * trailing line break: a mounted Kubernetes secret, a file only the job's user may read) or
 * {@code env:NAME} (an environment variable). Configuration, job graphs and logs carry the
 * reference; the secret is read where it is used, and appears in no message.
 */
public record SecretReference(Kind kind, String location) implements Serializable {

    public enum Kind {
        FILE("file:"),
        ENV("env:");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    public SecretReference {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("names no " + (kind == Kind.FILE ? "file" : "variable"));
        }
    }

    /** Parses {@code file:PATH} or {@code env:NAME}; the message of a refusal says which forms there are. */
    public static SecretReference parse(String text) {
        for (Kind kind : Kind.values()) {
            if (text.startsWith(kind.prefix)) {
                return new SecretReference(kind, text.substring(kind.prefix.length()));
            }
        }
        throw new IllegalArgumentException("must say where the secret is, file:PATH or env:NAME, not the secret itself");
    }

    /** The secret; a refusal's message names the file or variable and what is wrong with it, never any of its text. */
    public String read() {
        String secret;
        if (kind == Kind.ENV) {
            secret = System.getenv(location);
            if (secret == null) {
                throw new IllegalStateException("the environment variable " + location + " is not set");
            }
        } else {
            try {
                secret = Files.readString(Path.of(location), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new IllegalStateException("the file " + location + " does not exist");
            } catch (IOException e) {
                throw new IllegalStateException("the file " + location + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
            secret = secret.endsWith("\r\n") ? secret.substring(0, secret.length() - 2)
                    : secret.endsWith("\n") ? secret.substring(0, secret.length() - 1) : secret;
        }
        if (secret.isEmpty()) {
            throw new IllegalStateException(this + " is empty");
        }
        return secret;
    }

    @Override
    public String toString() {
        return kind.prefix + location;
    }
}
