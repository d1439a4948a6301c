package io.facestream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import io.facestream.avro.ImageEvent;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How often the decoder asks the registry: once per readable or unreadable schema id, every time
 * for an id the registry does not have. A loopback server answers {@code GET /schemas/ids/<id>}
 * and counts the calls; SchemaRegistryIT covers the same decoder against Apicurio Registry.
 */
class FramedAvroDecoderTest {

    private static final int IMAGE_EVENT_ID = 11;
    private static final int WRONG_TYPE_ID = 12;

    private final Map<Integer, String> schemas = Map.of(
            IMAGE_EVENT_ID, ImageEvent.getClassSchema().toString(),
            WRONG_TYPE_ID, "{\"type\": \"record\", \"name\": \"ImageEvent\", \"namespace\": \"io.facestream.avro\","
                    + " \"fields\": [{\"name\": \"eventId\", \"type\": \"int\"}]}");
    private final Map<Integer, AtomicInteger> lookups = new ConcurrentHashMap<>();
    private HttpServer server;
    private FramedAvroDecoder<ImageEvent> decoder;

    @BeforeEach
    void startRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/schemas/ids/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            int id = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            lookups.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
            JsonObject body = new JsonObject();
            int status;
            if (schemas.containsKey(id)) {
                status = 200;
                body.addProperty("schema", schemas.get(id));
            } else {
                status = 404;
                body.addProperty("error_code", 40403);
                body.addProperty("message", "Schema " + id + " not found");
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        decoder = new FramedAvroDecoder<>(ImageEvent.class, new SchemaRegistryClient(url, Duration.ofSeconds(5)));
    }

    @AfterEach
    void stopRegistry() {
        server.stop(0);
    }

    @Test
    void aReadableSchemaIsFetchedOnceForAllItsValues() throws Exception {
        for (String id : List.of("a", "b", "c")) {
            ImageEvent event = ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.ofEpochMilli(3))
                    .setImageBytes(ByteBuffer.wrap(new byte[] {9})).build();
            assertThat(decoder.decode(ConfluentWireFormat.frame(IMAGE_EVENT_ID, AvroCodec.encode(event)))).isEqualTo(event);
        }
        assertThat(lookups.get(IMAGE_EVENT_ID)).hasValue(1);
    }

    @Test
    void anUnreadableSchemaIsRememberedAndAnUnknownIdAskedAgain() {
        byte[] wrongType = ConfluentWireFormat.frame(WRONG_TYPE_ID, new byte[] {2});
        byte[] unknown = ConfluentWireFormat.frame(404_404, new byte[] {2});
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> decoder.decode(wrongType))
                    .isInstanceOfSatisfying(FramedAvroDecoder.UnreadableSchemaException.class, e -> assertThat(e.unknownId()).isFalse())
                    .hasMessageContaining("schema id 12 (io.facestream.avro.ImageEvent) cannot be read as io.facestream.avro.ImageEvent");
            assertThatThrownBy(() -> decoder.decode(unknown))
                    .isInstanceOfSatisfying(FramedAvroDecoder.UnreadableSchemaException.class, e -> assertThat(e.unknownId()).isTrue())
                    .hasMessageContaining("has no schema with id 404404");
        }
        assertThat(lookups.get(WRONG_TYPE_ID)).hasValue(1);
        assertThat(lookups.get(404_404)).as("a producer may register the id later").hasValue(2);
    }
}
