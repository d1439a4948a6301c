package io.facestream.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Apicurio Registry (the Maven Central build of {@code io.apicurio:apicurio-registry-app},
 * in-memory storage) in a child JVM on a loopback port: the registry the tests talk to through its
 * Confluent-compatible API. The build unpacks the application's runner jar (with its lib/ beside it)
 * where the system property {@code facestream.apicurio} says.
 */
public final class ApicurioRegistry implements AutoCloseable {

    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(180);

    private final Process process;
    private final Path log;
    private final String baseUrl;
    private final String httpsBaseUrl;
    private final TestCertificates certificates;

    private ApicurioRegistry(Process process, Path log, String baseUrl, String httpsBaseUrl, TestCertificates certificates) {
        this.process = process;
        this.log = log;
        this.baseUrl = baseUrl;
        this.httpsBaseUrl = httpsBaseUrl;
        this.certificates = certificates;
    }

    /**
     * Starts the registry and waits until its Confluent-compatible API answers; it serves https too,
     * with a self-signed certificate ({@link #certificates()}).
     */
    public static ApicurioRegistry start() throws IOException, InterruptedException {
        String configured = System.getProperty("facestream.apicurio");
        Path app = configured == null ? null : Path.of(configured);
        if (app == null || !Files.isRegularFile(app)) {
            throw new IllegalStateException("No Apicurio Registry at " + app + ": the build unpacks it there before the "
                    + "integration tests (job/pom.xml, execution apicurio-registry-for-tests); run them with Maven");
        }
        int port = freePort();
        int httpsPort = freePort();
        Path log = Files.createTempFile("facestream-apicurio-", ".log");
        TestCertificates certificates = TestCertificates.make(Files.createTempDirectory("facestream-apicurio-tls-"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.ssl-port=" + httpsPort,
                "-Dquarkus.http.ssl.certificate.key-store-file=" + certificates.keyStore(),
                "-Dquarkus.http.ssl.certificate.key-store-password=" + TestCertificates.PASSWORD,
                "-jar", app.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ApicurioRegistry registry = new ApicurioRegistry(process, log, "http://127.0.0.1:" + port,
                "https://127.0.0.1:" + httpsPort, certificates);
        try {
            registry.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** The root of the Confluent-compatible API: what {@code --schema-registry} takes. */
    public String ccompatUrl() {
        return baseUrl + "/apis/ccompat/v6";
    }

    /** The same API over https, with the certificate of {@link #certificates()}. */
    public String httpsCcompatUrl() {
        return httpsBaseUrl + "/apis/ccompat/v6";
    }

    /** The registry's self-signed certificate: PEM, and a trust store holding it. */
    public TestCertificates certificates() {
        return certificates;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest subjects = HttpRequest.newBuilder(URI.create(ccompatUrl() + "/subjects")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                if (http.send(subjects, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Apicurio Registry did not answer within " + STARTUP_LIMIT.toSeconds() + " s:\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // A temp file left behind is harmless.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
