package io.facestream.job;

import io.facestream.detect.Natives;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/**
 * Why a subtask could not start its model, as one failure that stops the job: the model file, the
 * native libraries and the TaskManager's classpath are the same after a restart, so restarting
 * would only fail the same way, forever, and bury the cause under restarts.
 */
final class ModelStartFailure {

    private ModelStartFailure() {}

    static SuppressRestartsException of(int subtask, Throwable failure) {
        return new SuppressRestartsException(new IllegalStateException("FaceStream subtask " + subtask
                + " could not start its model: " + describe(failure) + " The job stops here rather than restarting: "
                + "a restart would fail the same way.", failure));
    }

    static String describe(Throwable failure) {
        if (ortEnvironmentOwnedByAnotherJob(failure)) {
            return "ONNX Runtime's process-wide environment was created by DJL in an earlier job's classloader on this "
                    + "TaskManager, and DJL in this job's classloader cannot share it (ONNX Runtime loads parent-first "
                    + "from Flink's lib/, DJL from the job jar). " + Natives.PARENT_FIRST_FIX;
        }
        return String.valueOf(rootMessage(failure));
    }

    /**
     * DJL's ONNX Runtime engine creates ONNX Runtime's one environment with a thread pool, which
     * ONNX Runtime refuses once an environment exists; after that first refusal the JVM reports
     * the engine's class as one it could not initialize.
     */
    static boolean ortEnvironmentOwnedByAnotherJob(Throwable failure) {
        for (Throwable cause : causes(failure)) {
            String message = String.valueOf(cause.getMessage());
            if (cause instanceof IllegalStateException && message.contains("OrtEnvironment")
                    || cause instanceof NoClassDefFoundError && message.contains("ai.djl.onnxruntime.engine")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        List<Throwable> causes = causes(failure);
        for (Throwable cause : causes) {
            // The outermost message that says something: ours and the loaders' name the problem and the fix.
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return cause.getMessage();
            }
        }
        return causes.get(causes.size() - 1).toString();
    }

    private static List<Throwable> causes(Throwable failure) {
        List<Throwable> causes = new ArrayList<>();
        for (Throwable cause = failure; cause != null && !causes.contains(cause); cause = cause.getCause()) {
            causes.add(cause);
        }
        return causes;
    }
}
