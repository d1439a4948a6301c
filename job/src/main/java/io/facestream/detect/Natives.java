package io.facestream.detect;

import ai.djl.engine.Engine;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Starts the native libraries once per JVM: OpenCV, and ONNX Runtime's one environment, which
 * DJL's engine creates.
 *
 * <p>Both register a JVM shutdown hook as they start: a {@link Thread}, never started before the
 * JVM exits, that keeps the access-control context of the stack that created it, that is the
 * protection domain of every class on that stack. Started from a job's code, that context holds
 * the job jar's domain and through it the job's classloader, which then outlives the job: a
 * TaskManager with these libraries in Flink's lib/ would keep the first FaceStream job's classes
 * until it exits. So where a library comes from another classloader than FaceStream's own, it is
 * started on a common-pool thread (created without its creator's context) through a proxy of a
 * method handle (a class without a protection domain), so that no class of the job is on that
 * stack. (With the common pool switched off, it is started on the caller's stack.)
 */
public final class Natives {

    /** What a cluster needs so that every job on a TaskManager shares these libraries (deploy/README.md). */
    public static final String PARENT_FIRST_FIX = "Put the jars of deploy/flink-lib/pom.xml (OpenCV, ONNX Runtime, DJL "
            + "and DJL's ONNX Runtime engine) into Flink's lib/ and set classloader.parent-first-patterns.additional to "
            + "its <parent-first-patterns> (see deploy/README.md), then restart the TaskManagers once.";
    private static final String ENGINE = "OnnxRuntime";

    private static boolean openCvLoaded;
    private static boolean onnxRuntimeStarted;

    private Natives() {}

    public static synchronized void loadOpenCv() {
        if (openCvLoaded) {
            return;
        }
        try {
            start(nu.pattern.OpenCV.class, "loadLocally", MethodType.methodType(void.class));
        } catch (UnsatisfiedLinkError e) {
            if (String.valueOf(e.getMessage()).contains("already loaded in another classloader")) {
                throw new IllegalStateException("OpenCV's native library is already loaded by another classloader "
                        + "(a previous run of the job in this TaskManager). " + PARENT_FIRST_FIX, e);
            }
            throw e;
        }
        openCvLoaded = true;
    }

    /** Creates DJL's ONNX Runtime engine, and with it ONNX Runtime's environment. */
    public static synchronized void startOnnxRuntime() {
        if (onnxRuntimeStarted) {
            return;
        }
        start(Engine.class, "getEngine", MethodType.methodType(Engine.class, String.class), ENGINE);
        onnxRuntimeStarted = true;
    }

    private static void start(Class<?> library, String method, MethodType type, Object... arguments) {
        MethodHandle start;
        try {
            start = MethodHandles.insertArguments(MethodHandles.publicLookup().findStatic(library, method, type), 0, arguments)
                    .asType(MethodType.methodType(void.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + library.getName() + "." + method, e);
        }
        if (library.getClassLoader() == Natives.class.getClassLoader() || ForkJoinPool.getCommonPoolParallelism() < 1) {
            // One classloader for the library and the job (the job jar alone, a MiniCluster): nothing to outlive.
            invoke(start);
            return;
        }
        ForkJoinTask<?> detached = ForkJoinPool.commonPool().submit(MethodHandleProxies.asInterfaceInstance(Runnable.class, start));
        try {
            // Polled, not joined: a thread that joins a common-pool task may run it itself, on the job's stack.
            while (!detached.isDone()) {
                Thread.sleep(5);
            }
            detached.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + library.getName(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static void invoke(MethodHandle start) {
        try {
            start.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
