package io.facestream.detect;

/** Loads OpenCV's native library once per JVM. */
public final class OpenCvNatives {

    private static boolean loaded;

    private OpenCvNatives() {}

    public static synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            nu.pattern.OpenCV.loadLocally();
        } catch (UnsatisfiedLinkError e) {
            if (String.valueOf(e.getMessage()).contains("already loaded in another classloader")) {
                throw new IllegalStateException("OpenCV's native library is already loaded by another classloader "
                        + "(a previous run of the job in this TaskManager). Put the jars of deploy/flink-lib/pom.xml into "
                        + "Flink's lib/ folder and set classloader.parent-first-patterns.additional to its "
                        + "<parent-first-patterns> (the job jar carries these libraries too; see deploy/README.md)", e);
            }
            throw e;
        }
        loaded = true;
    }
}
