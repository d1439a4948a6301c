package io.facestream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.avro.ImageEvent;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How often the decoder asks the registry: once per readable or unreadable schema id, every time
 * for an id the registry does not have. A {@link StandInRegistry} answers and counts the calls;
 * SchemaRegistryIT covers the same decoder against Apicurio Registry.
 */
class FramedAvroDecoderTest {

    private static final int IMAGE_EVENT_ID = 11;
    private static final int WRONG_TYPE_ID = 12;

    private final Map<Integer, String> schemas = Map.of(
            IMAGE_EVENT_ID, ImageEvent.getClassSchema().toString(),
            WRONG_TYPE_ID, "{\"type\": \"record\", \"name\": \"ImageEvent\", \"namespace\": \"io.facestream.avro\","
                    + " \"fields\": [{\"name\": \"eventId\", \"type\": \"int\"}]}");
    private StandInRegistry registry;
    private FramedAvroDecoder<ImageEvent> decoder;

    @BeforeEach
    void startRegistry() throws IOException {
        registry = new StandInRegistry(schemas);
        decoder = new FramedAvroDecoder<>(ImageEvent.class, new SchemaRegistryClient(registry.url(), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    @Test
    void aReadableSchemaIsFetchedOnceForAllItsValues() throws Exception {
        for (String id : List.of("a", "b", "c")) {
            ImageEvent event = ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.ofEpochMilli(3))
                    .setImageBytes(ByteBuffer.wrap(new byte[] {9})).build();
            assertThat(decoder.decode(ConfluentWireFormat.frame(IMAGE_EVENT_ID, AvroCodec.encode(event)))).isEqualTo(event);
        }
        assertThat(registry.lookups(IMAGE_EVENT_ID)).isEqualTo(1);
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
        assertThat(registry.lookups(WRONG_TYPE_ID)).isEqualTo(1);
        assertThat(registry.lookups(404_404)).as("a producer may register the id later").isEqualTo(2);
    }
}
