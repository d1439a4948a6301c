package io.facestream.registry;

/** How FaceStream proves who it is to a schema registry. */
public enum RegistryAuth {
    /** No credentials. */
    NONE,
    /** HTTP basic authentication, the secret being {@code USER:PASSWORD} (Confluent's basic.auth.user.info). */
    BASIC,
    /** An OAuth or other bearer token, the secret being the token. */
    BEARER
}
