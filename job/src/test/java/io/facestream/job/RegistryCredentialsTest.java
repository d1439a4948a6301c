package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.facestream.avro.ImageEvent;
import io.facestream.config.OptionNames;
import io.facestream.registry.RegistryAuth;
import io.facestream.registry.RegistryConnection;
import io.facestream.registry.SchemaRegistryClient;
import io.facestream.registry.SchemaRegistryException;
import io.facestream.registry.SecretReference;
import io.facestream.registry.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials and trust for the schema registry, against a registry in the test that checks the
 * {@code Authorization} header (Apicurio Registry 2.6, the registry of SchemaRegistryIT, needs a
 * Keycloak server for authentication, which does not run here): each secret reaches the registry
 * as its header, a refusal stops the startup check with one message naming the cause and the fix,
 * and no message, setting or connection description shows the secret.
 */
class RegistryCredentialsTest {

    private static final String USER = "facestream";
    private static final String PASSWORD = "pw-Tr0ub4dor&3-registry";
    /** Set for the tests' JVM by the build (job/pom.xml, surefire's environmentVariables). */
    private static final String TOKEN_VARIABLE = "FACESTREAM_TEST_REGISTRY_TOKEN";

    @TempDir
    Path folder;

    private CheckingRegistry registry;

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void basicCredentialsFromAFileReachTheRegistryAsTheBasicHeader() throws Exception {
        registry = CheckingRegistry.http("Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        Path secret = Files.writeString(folder.resolve("registry-credentials"), USER + ":" + PASSWORD + "\n");

        KafkaSettings registered = StartupChecks.registerSchemas(settings(registry.url())
                .schemaRegistryAuth(RegistryAuth.BASIC, "file:" + secret).build());

        assertThat(registered.registeredSchemas()).isPresent();
        assertThat(registry.refused()).isZero();
        assertThat(registry.accepted()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aBearerTokenFromAnEnvironmentVariableReachesTheRegistry() throws Exception {
        String token = System.getenv(TOKEN_VARIABLE);
        assertThat(token).as("%s, which the build sets for the tests (run them with Maven)", TOKEN_VARIABLE).isNotBlank();
        registry = CheckingRegistry.http("Bearer " + token);

        RegistryConnection connection = settings(registry.url()).schemaRegistryAuth(RegistryAuth.BEARER, "env:" + TOKEN_VARIABLE)
                .build().schemaRegistry().orElseThrow();
        assertThat(new SchemaRegistryClient(connection, Duration.ofSeconds(5)).register("t-value", ImageEvent.getClassSchema()))
                .isEqualTo(CheckingRegistry.ID);
        // The TaskManagers' side: schemas fetched by id with the same header.
        assertThat(new SchemaRegistryClient(connection, Duration.ofSeconds(5)).schemaById(CheckingRegistry.ID)).isPresent();
        assertThat(connection.toString()).contains("env:" + TOKEN_VARIABLE).doesNotContain(token);
    }

    @Test
    void aWrongPasswordStopsTheStartupCheckWithTheCauseAndTheFixButNotThePassword() throws Exception {
        registry = CheckingRegistry.http("Basic " + Base64.getEncoder().encodeToString((USER + ":another").getBytes(StandardCharsets.UTF_8)));
        Path secret = Files.writeString(folder.resolve("registry-credentials"), USER + ":" + PASSWORD);

        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings(registry.url())
                .schemaRegistryAuth(RegistryAuth.BASIC, "file:" + secret).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("did not accept the basic credentials in file:" + secret)
                .hasMessageContaining("check the user and password")
                .satisfies(e -> assertThat(everyMessage(e)).doesNotContain(PASSWORD).doesNotContain(base64(USER + ":" + PASSWORD)));
    }

    @Test
    void aRegistryThatWantsCredentialsWhereNoneAreSetSaysWhichFlagsToSet() throws Exception {
        registry = CheckingRegistry.http("Bearer something");

        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings(registry.url()).build()))
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("--schema-registry-auth basic")
                .hasMessageContaining("--schema-registry-credentials file:PATH or env:NAME");
    }

    @Test
    void aMissingSecretFileOrVariableIsNamedWithWhatToWriteThere() {
        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings("http://127.0.0.1:1")
                .schemaRegistryAuth(RegistryAuth.BASIC, "file:" + folder.resolve("absent")).build()))
                .hasMessageContaining("the file " + folder.resolve("absent") + " does not exist")
                .hasMessageContaining("write USER:PASSWORD (basic) or the token (bearer) there");
        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings("http://127.0.0.1:1")
                .schemaRegistryAuth(RegistryAuth.BEARER, "env:FACESTREAM_NO_SUCH_VARIABLE").build()))
                .hasMessageContaining("the environment variable FACESTREAM_NO_SUCH_VARIABLE is not set");
    }

    @Test
    void aBasicSecretWithoutAColonIsRefusedWithoutShowingIt() throws Exception {
        Path secret = Files.writeString(folder.resolve("registry-credentials"), PASSWORD);
        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings("http://127.0.0.1:1")
                .schemaRegistryAuth(RegistryAuth.BASIC, "file:" + secret).build()))
                .hasMessageContaining("must hold USER:PASSWORD")
                .satisfies(e -> assertThat(everyMessage(e)).doesNotContain(PASSWORD));
    }

    @Test
    void settingsThatCannotWorkAreRefusedAtOnceAndASecretGivenInPlaceOfItsReferenceIsNotRepeated() {
        assertThatThrownBy(() -> settings("http://registry:8081").schemaRegistryAuth(RegistryAuth.BASIC, PASSWORD).build())
                .hasMessageContaining("--schema-registry-credentials (not shown): must say where the secret is, file:PATH or env:NAME")
                .satisfies(e -> assertThat(everyMessage(e)).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> settings("http://registry:8081").schemaRegistryAuth(RegistryAuth.BEARER, null).build())
                .hasMessageContaining("--schema-registry-auth bearer: needs the secret's place");
        assertThatThrownBy(() -> settings("http://registry:8081").schemaRegistryAuth(RegistryAuth.NONE, "env:X").build())
                .hasMessageContaining("--schema-registry-auth is none: set it to basic or bearer");
        assertThatThrownBy(() -> settings(null).schemaRegistryTruststore("/etc/ca.pem", null).build())
                .hasMessageContaining("--schema-registry-truststore /etc/ca.pem: is for a schema registry, and no --schema-registry is set");
    }

    @Test
    void theOptionsReadFromAConfigurationGiveTheSameConnection() throws Exception {
        Configuration config = new Configuration();
        config.setString("bootstrap-servers", "127.0.0.1:1");
        config.setString("schema-registry", "https://registry:8081");
        config.setString("schema-registry-auth", "basic");
        config.setString("schema-registry-credentials", "file:/run/secrets/registry");
        config.setString("schema-registry-truststore", "/run/secrets/ca.pem");
        RegistryConnection connection = KafkaSettings.from(config, OptionNames.FLAGS).schemaRegistry().orElseThrow();
        assertThat(connection).isEqualTo(new RegistryConnection("https://registry:8081", RegistryAuth.BASIC,
                new SecretReference(SecretReference.Kind.FILE, "/run/secrets/registry"), "/run/secrets/ca.pem", null));
    }

    @Test
    void anHttpsRegistryIsTrustedThroughAPemCertificateOrAPasswordProtectedTrustStoreAndOtherwiseRefusedWithTheFix() throws Exception {
        TestCertificates certificates = TestCertificates.make(folder);
        String header = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        registry = CheckingRegistry.https(header, certificates);
        Path secret = Files.writeString(folder.resolve("registry-credentials"), USER + ":" + PASSWORD);
        Path storePassword = Files.writeString(folder.resolve("store-password"), TestCertificates.PASSWORD);

        assertThat(StartupChecks.registerSchemas(settings(registry.url())
                .schemaRegistryAuth(RegistryAuth.BASIC, "file:" + secret)
                .schemaRegistryTruststore(certificates.certificatePem().toString(), null).build()).registeredSchemas()).isPresent();
        assertThat(StartupChecks.registerSchemas(settings(registry.url())
                .schemaRegistryAuth(RegistryAuth.BASIC, "file:" + secret)
                .schemaRegistryTruststore(certificates.trustStore().toString(), "file:" + storePassword).build())
                .registeredSchemas()).isPresent();

        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings(registry.url())
                .schemaRegistryAuth(RegistryAuth.BASIC, "file:" + secret).build()))
                .hasMessageContaining("The TLS handshake failed")
                .hasMessageContaining("give that certificate (PEM) or a trust store holding it with --schema-registry-truststore FILE")
                .satisfies(e -> assertThat(everyMessage(e)).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings(registry.url())
                .schemaRegistryAuth(RegistryAuth.BASIC, "file:" + secret)
                .schemaRegistryTruststore(certificates.trustStore().toString(), "file:" + folder.resolve("registry-credentials")).build()))
                .hasMessageContaining("the trust store " + certificates.trustStore() + " cannot be read")
                .hasMessageContaining("--schema-registry-truststore-password")
                .satisfies(e -> assertThat(everyMessage(e)).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings(registry.url())
                .schemaRegistryAuth(RegistryAuth.BASIC, "file:" + secret)
                .schemaRegistryTruststore(certificates.trustStore().toString(), "file:" + folder.resolve("no-password-file")).build()))
                .as("a trust store password that cannot be read is the trust store's problem, not the credentials'")
                .hasMessageContaining("the file " + folder.resolve("no-password-file") + " does not exist")
                .hasMessageContaining("Give --schema-registry-truststore a PEM file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("write USER:PASSWORD"));
        assertThat(registry.refused()).isZero();
    }

    @Test
    void aRefusalOnTheTaskManagersSideIsTheRegistrysAnswer() throws Exception {
        registry = CheckingRegistry.http("Bearer right");
        Path secret = Files.writeString(folder.resolve("token"), "wrong");
        SchemaRegistryClient client = new SchemaRegistryClient(new RegistryConnection(registry.url(), RegistryAuth.BEARER,
                SecretReference.parse("file:" + secret), null, null), Duration.ofSeconds(5));
        assertThatThrownBy(() -> client.schemaById(CheckingRegistry.ID))
                .isInstanceOf(SchemaRegistryException.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(401));
    }

    private static KafkaSettings.Builder settings(String registryUrl) {
        return KafkaSettings.builder().bootstrapServers("127.0.0.1:1").schemaRegistry(registryUrl);
    }

    private static String everyMessage(Throwable e) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t).append('\n');
        }
        return messages.toString();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Answers the two calls FaceStream makes (register, schema by id) when the request carries the
     * expected {@code Authorization} header, and 401 with the registry's error body otherwise.
     */
    private static final class CheckingRegistry implements AutoCloseable {

        static final int ID = 7;

        private final HttpServer server;
        private final String expected;
        private final String scheme;
        private final List<Boolean> answers = new CopyOnWriteArrayList<>();

        private CheckingRegistry(HttpServer server, String expected, String scheme) {
            this.server = server;
            this.expected = expected;
            this.scheme = scheme;
            server.createContext("/", this::answer);
            server.start();
        }

        static CheckingRegistry http(String expected) throws IOException {
            return new CheckingRegistry(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), expected, "http");
        }

        static CheckingRegistry https(String expected, TestCertificates certificates) throws Exception {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(certificates.serverContext()));
            return new CheckingRegistry(server, expected, "https");
        }

        String url() {
            return scheme + "://127.0.0.1:" + server.getAddress().getPort();
        }

        long accepted() {
            return answers.stream().filter(accepted -> accepted).count();
        }

        long refused() {
            return answers.stream().filter(accepted -> !accepted).count();
        }

        private void answer(HttpExchange exchange) throws IOException {
            exchange.getRequestBody().readAllBytes();
            boolean accepted = expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
            answers.add(accepted);
            JsonObject body = new JsonObject();
            int status;
            if (!accepted) {
                status = 401;
                body.addProperty("error_code", 40101);
                body.addProperty("message", "Unauthorized");
            } else if (exchange.getRequestURI().getPath().startsWith("/schemas/ids/")) {
                status = 200;
                body.addProperty("schema", ImageEvent.getClassSchema().toString());
            } else {
                status = 200;
                body.addProperty("id", ID);
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
