package io.facestream.job;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/** Bytes the current thread allocates while it runs some code, by HotSpot's per-thread counter. */
final class ThreadAllocation {

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        // Without the counter every measurement would read 0 and no allocation bound could fail.
        if (!THREADS.isThreadAllocatedMemorySupported() || !THREADS.isThreadAllocatedMemoryEnabled()) {
            throw new IllegalStateException("This JVM does not count the bytes each thread allocates; "
                    + "run the tests on HotSpot (OpenJDK) without -XX:-ThreadAllocatedMemory.");
        }
    }

    private ThreadAllocation() {}

    record Measured<T>(T result, long bytes) {}

    static <T> Measured<T> measure(Supplier<T> work) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        T result = work.get();
        return new Measured<>(result, THREADS.getCurrentThreadAllocatedBytes() - before);
    }
}
