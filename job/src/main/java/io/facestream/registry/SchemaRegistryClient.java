package io.facestream.registry;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * The two calls of the Confluent Schema Registry REST API that FaceStream makes, over Java's own
 * HTTP client: register a value schema under a subject, and fetch a schema by id. Any registry
 * serving that API works (Confluent's, Apicurio's {@code /apis/ccompat/v6}, Karapace, ...).
 */
public final class SchemaRegistryClient {

    /** The registry's own media type; plain application/json is accepted as well. */
    private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
    /** For one request, connecting included; as long as the job waits for the Kafka brokers at startup. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private final String baseUrl;
    private final Duration timeout;
    private final HttpClient http;
    /** Kept here only, so that no request or message shows it. */
    private final String authorization;

    /** A registry that wants no credentials. */
    public SchemaRegistryClient(String baseUrl, Duration timeout) {
        this(RegistryConnection.anonymous(baseUrl), timeout);
    }

    /**
     * Reads the connection's secrets and trust store now; a {@link RegistryConnection.UnusableSetting} says which
     * cannot be read and why, without any secret in its message.
     */
    public SchemaRegistryClient(RegistryConnection connection, Duration timeout) {
        String url = connection.url();
        this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.timeout = timeout;
        this.authorization = connection.authorization();
        // HTTP/1.1: some registries answer an h2c upgrade request badly.
        HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout);
        SSLContext ssl = connection.sslContext();
        if (ssl != null) {
            http.sslContext(ssl);
        }
        this.http = http.build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The subject of a topic's values under the registries' default TopicNameStrategy. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    /**
     * Registers {@code schema} under {@code subject}, or finds it there when it already is, and
     * returns its id: {@code POST /subjects/<subject>/versions}. The registry refuses a schema
     * that breaks the subject's compatibility rule (HTTP 409).
     */
    public int register(String subject, Schema schema) throws SchemaRegistryException, InterruptedIOException {
        JsonObject body = new JsonObject();
        body.addProperty("schema", schema.toString());
        HttpRequest request = request("/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .header("Content-Type", MEDIA_TYPE)
                .build();
        JsonObject answer = send(request);
        JsonElement id = answer.get("id");
        if (id == null || !id.isJsonPrimitive()) {
            throw new SchemaRegistryException(200, null, "answered without a schema id: " + answer, null);
        }
        return id.getAsInt();
    }

    /** The schema with this id ({@code GET /schemas/ids/<id>}); empty when the registry has none. */
    public Optional<RegisteredSchema> schemaById(int id) throws SchemaRegistryException, InterruptedIOException {
        try {
            JsonObject answer = send(request("/schemas/ids/" + id).GET().build());
            JsonElement schema = answer.get("schema");
            JsonElement type = answer.get("schemaType");
            if (schema == null || !schema.isJsonPrimitive()) {
                throw new SchemaRegistryException(200, null, "answered without the schema of id " + id + ": " + answer, null);
            }
            return Optional.of(new RegisteredSchema(id, type == null ? "AVRO" : type.getAsString(), schema.getAsString()));
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** A schema as the registry keeps it: its id, type (AVRO, PROTOBUF, JSON) and text. */
    public record RegisteredSchema(int id, String type, String text) {}

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(timeout)
                .header("Accept", MEDIA_TYPE + ", application/json");
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    private JsonObject send(HttpRequest request) throws SchemaRegistryException, InterruptedIOException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while calling the schema registry at " + baseUrl);
        } catch (IOException e) {
            throw new SchemaRegistryException(0, null, "did not answer " + request.method() + " " + request.uri()
                    + " (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        JsonObject body = parse(response.body());
        if (response.statusCode() / 100 == 2 && body != null) {
            return body;
        }
        Integer errorCode = null;
        String message = response.body();
        if (body != null && body.has("error_code")) {
            errorCode = body.get("error_code").getAsInt();
            message = body.has("message") && !body.get("message").isJsonNull() ? body.get("message").getAsString() : message;
        }
        throw new SchemaRegistryException(response.statusCode(), errorCode, "answered " + request.method() + " "
                + request.uri().getPath() + " with HTTP " + response.statusCode() + ": " + abbreviate(message), null);
    }

    private static JsonObject parse(String text) {
        try {
            JsonElement element = JsonParser.parseString(text);
            return element.isJsonObject() ? element.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }
}
