package io.facestream.job;

/** How input Kafka records carry images. */
public enum InputFormat {
    /** The value is an Avro-encoded {@code ImageEvent} (binary, no framing). */
    AVRO,
    /** The value is the encoded image itself; the key is the event id, the record timestamp the event time. */
    RAW
}
