package io.facestream.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12.2+ refuses to instantiate generated classes it has not been told to trust, and Flink's
 * Avro serializer and the Kafka deserializers instantiate ours. This adds FaceStream's generated
 * package to whatever the JVM (its system properties included) already trusts.
 */
public final class AvroTrust {

    public static final String GENERATED_PACKAGE = "io.facestream.avro";

    private static boolean installed;

    private AvroTrust() {}

    public static synchronized void trustFaceStreamSchemas() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current,
                type -> type.getPackageName().equals(GENERATED_PACKAGE)));
        installed = true;
    }
}
