import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * The hot Java methods of a JFR recording (JDK 17 has no `jfr view hot-methods`): execution samples
 * (threads running Java code; native code such as ONNX Runtime's and OpenCV's shows as the Java
 * method that called it only in jdk.NativeMethodSample, counted apart), optionally only those
 * within a window of epoch milliseconds. Per method: self (top frame) and total (anywhere on the
 * stack), as shares of all samples; then the samples per thread name.
 *
 * java job/bench/JfrHot.java RECORDING.jfr [FROM_EPOCH_MS TO_EPOCH_MS] [TOP]
 */
public class JfrHot {

    public static void main(String[] args) throws Exception {
        long from = args.length > 2 ? Long.parseLong(args[1]) : Long.MIN_VALUE;
        long to = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
        int top = args.length > 3 ? Integer.parseInt(args[3]) : 25;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> nativeSelf = new HashMap<>();
        int samples = 0;
        int nativeSamples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = event.getEventType().getName();
            boolean java = type.equals("jdk.ExecutionSample");
            if (!java && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            long at = event.getStartTime().toEpochMilli();
            if (at < from || at > to || event.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            if (!java) {
                nativeSamples++;
                nativeSelf.merge(name(frames.get(0)), 1, Integer::sum);
                continue;
            }
            samples++;
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                if (seen.add(name(frame))) {
                    total.merge(name(frame), 1, Integer::sum);
                }
            }
            String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread").getJavaName();
            threads.merge(thread == null ? "?" : thread.replaceAll("[0-9]+", "N"), 1, Integer::sum);
        }
        System.out.printf("JFR %s: %d Java execution samples, %d native method samples%s%n", args[0], samples, nativeSamples,
                from == Long.MIN_VALUE ? "" : " from " + Instant.ofEpochMilli(from) + " to " + Instant.ofEpochMilli(to));
        print("hot methods, self (top frame), % of Java samples", self, samples, top);
        print("hot methods, total (anywhere on the stack), % of Java samples", total, samples, top);
        print("Java samples per thread, %", threads, samples, top);
        print("native method samples, top frame, %", nativeSelf, nativeSamples, 10);
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.println("== " + title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> System.out.printf("%6.2f  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getKey()));
    }
}
