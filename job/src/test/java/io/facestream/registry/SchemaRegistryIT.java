package io.facestream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.GoldenDetections;
import io.facestream.job.FaceDetectionSettings;
import io.facestream.job.FaceStreamJob;
import io.facestream.job.KafkaFlinkTestBase;
import io.facestream.job.KafkaSettings;
import io.facestream.job.StartupChecks;
import io.facestream.schemas.AvroCodec;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Confluent wire format against a real Apicurio Registry (in-memory, child JVM on loopback),
 * with the job on the shared MiniCluster and broker: output values carry ids the registry knows,
 * and framed image events are read, whatever compatible schema they were written with.
 */
@Timeout(300)
class SchemaRegistryIT extends KafkaFlinkTestBase {

    @RegisterExtension
    static final org.junit.jupiter.api.extension.BeforeAllCallback REGISTRY = SchemaRegistryIT::startRegistryOnce;

    private static ApicurioRegistry registry;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static synchronized void startRegistryOnce(ExtensionContext context) throws Exception {
        if (registry == null) {
            registry = ApicurioRegistry.start();
            ApicurioRegistry started = registry;
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .put("facestream-apicurio", (ExtensionContext.Store.CloseableResource) started::close);
        }
    }

    @BeforeAll
    static void trustGeneratedClasses() {
        io.facestream.schemas.AvroTrust.trustFaceStreamSchemas();
    }

    @Test
    void outputIsFramedWithIdsTheRegistryKnowsAndFramedEventsOfAnyCompatibleSchemaAreRead() throws Exception {
        String input = uniqueTopic("framed-images");
        String output = input + "-detections";
        String deadLetters = input + "-dead-letters";
        String crops = input + "-crops";
        String anonymized = input + "-anonymized";
        broker().createTopics(2, input, output, deadLetters, crops, anonymized);
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();

        // Producers register their own schemas: today's ImageEvent, and a newer one with an extra field.
        int currentId = registerByHand(input + "-value", ImageEvent.getClassSchema());
        Schema newer = imageEventWithCameraField();
        int newerId = registerByHand(input + "-value", newer);
        Schema wrongType = new Schema.Parser().parse("""
                {"type": "record", "name": "ImageEvent", "namespace": "io.facestream.avro",
                 "fields": [{"name": "eventId", "type": "long"}]}""");
        int incompatibleId = registerByHand(uniqueTopic("another-topic") + "-value", wrongType);
        assertThat(List.of(currentId, newerId, incompatibleId)).doesNotHaveDuplicates();

        byte[] chrisEvent = AvroCodec.encode(event("chris", "Chris.jpeg"));
        byte[] unknownIdValue = ConfluentWireFormat.frame(987_654, chrisEvent);
        GenericRecord newerEvent = new GenericData.Record(newer);
        newerEvent.put("eventId", "montage");
        newerEvent.put("eventTime", 1_700_000_000_000L);
        newerEvent.put("imageBytes", ByteBuffer.wrap(photo("montage_4faces.png")));
        newerEvent.put("metadata", Map.of("site", "north"));
        newerEvent.put("camera", "cam-7");
        GenericRecord wrongTypeEvent = new GenericData.Record(wrongType);
        wrongTypeEvent.put("eventId", 5L);
        produce(input, List.of(
                record(input, "chris", ConfluentWireFormat.frame(currentId, chrisEvent)),
                record(input, "montage", ConfluentWireFormat.frame(newerId, encode(newer, newerEvent))),
                record(input, "plain", AvroCodec.encode(event("plain", "Chris.jpeg"))),
                record(input, "too-short", new byte[] {0, 0, 0}),
                record(input, "unknown-id", unknownIdValue),
                record(input, "incompatible", ConfluentWireFormat.frame(incompatibleId, encode(wrongType, wrongTypeEvent))),
                record(input, "truncated-body", ConfluentWireFormat.frame(currentId, Arrays.copyOf(chrisEvent, 40)))));

        KafkaSettings kafka = StartupChecks.registerSchemas(KafkaSettings.builder()
                .bootstrapServers(broker().bootstrapServers())
                .inputTopic(input).outputTopic(output).deadLetterTopic(deadLetters)
                .cropsTopic(crops).anonymizedTopic(anonymized)
                .groupId(input).transactionalIdPrefix(input).bounded(true)
                .schemaRegistry(registry.ccompatUrl())
                .build());
        var env = testEnvironment();
        FaceStreamJob.onKafka(kafka, FaceDetectionSettings.defaults()).build(env);
        env.execute("SchemaRegistryIT " + input);

        // Crops and anonymized images framed with the FaceCrop and ImageEvent schemas registered for their topics.
        assertThat(readFramed(crops, FaceCrop.class)).extracting(crop -> crop.getEventId() + "#" + crop.getFaceIndex())
                .containsExactlyInAnyOrder("chris#0", "montage#0", "montage#1", "montage#2", "montage#3");
        assertThat(readFramed(anonymized, ImageEvent.class)).extracting(ImageEvent::getEventId)
                .containsExactlyInAnyOrder("chris", "montage");

        Map<String, FaceDetectionResult> results = new HashMap<>();
        for (FaceDetectionResult result : readFramed(output, FaceDetectionResult.class)) {
            assertThat(results.put(result.getEventId(), result)).as("one result per event").isNull();
        }
        assertThat(results).containsOnlyKeys("chris", "montage");
        assertThat(results.get("chris").getFaces()).hasSize(golden.get("Chris.jpeg").faces().size());
        assertThat(results.get("montage").getFaces()).hasSize(golden.get("montage_4faces.png").faces().size());
        assertThat(results.get("montage").getEventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(results.get("montage").getImageWidth()).isEqualTo(golden.get("montage_4faces.png").width());

        Map<String, DeadLetter> dead = new HashMap<>();
        for (DeadLetter deadLetter : readFramed(deadLetters, DeadLetter.class)) {
            assertThat(dead.put(deadLetter.getEventId(), deadLetter)).as("one dead letter per event").isNull();
        }
        Map<String, DeadLetterReason> reasons = new HashMap<>();
        dead.forEach((id, deadLetter) -> reasons.put(id, deadLetter.getReason()));
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of(
                "plain", DeadLetterReason.MALFORMED_EVENT,
                "too-short", DeadLetterReason.MALFORMED_EVENT,
                "unknown-id", DeadLetterReason.UNKNOWN_SCHEMA_ID,
                "incompatible", DeadLetterReason.INCOMPATIBLE_SCHEMA,
                "truncated-body", DeadLetterReason.MALFORMED_EVENT));
        assertThat(dead.get("plain").getMessage()).contains("not in the Confluent wire format");
        assertThat(dead.get("unknown-id").getMessage()).contains("no schema with id 987654");
        assertThat(dead.get("incompatible").getMessage()).contains("schema id " + incompatibleId)
                .contains("cannot be read as io.facestream.avro.ImageEvent");
        assertThat(dead.get("truncated-body").getMessage()).contains("does not decode");
        assertThat(bytes(dead.get("unknown-id").getPayload())).as("the original value, framing included").isEqualTo(unknownIdValue);
    }

    @Test
    void overHttpsTheTrustStoreVouchesForTheRegistryAndWithoutItTheStartupCheckSaysWhatToGive() throws Exception {
        String input = uniqueTopic("https");
        KafkaSettings.Builder settings = KafkaSettings.builder().bootstrapServers(broker().bootstrapServers())
                .inputTopic(input).outputTopic(input + "-out").deadLetterTopic(input + "-dlq")
                .schemaRegistry(registry.httpsCcompatUrl());
        KafkaSettings overHttps = StartupChecks.registerSchemas(settings
                .schemaRegistryTruststore(registry.certificates().certificatePem().toString(), null).build());
        assertThat(resultSchemaId(overHttps)).as("the id the registry shows over plain http").isEqualTo(idOfLatest(input + "-out-value"));

        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings.schemaRegistryTruststore(null, null).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(registry.httpsCcompatUrl())
                .hasMessageContaining("The TLS handshake failed")
                .hasMessageContaining("--schema-registry-truststore FILE");
    }

    @Test
    void registeringAgainGivesTheSameIdsAndARefusingRegistryStopsTheJobBeforeItStarts() throws Exception {
        String input = uniqueTopic("registration");
        KafkaSettings.Builder settings = KafkaSettings.builder().bootstrapServers(broker().bootstrapServers())
                .inputTopic(input).outputTopic(input + "-out").deadLetterTopic(input + "-dlq")
                .schemaRegistry(registry.ccompatUrl());
        KafkaSettings first = StartupChecks.registerSchemas(settings.build());
        KafkaSettings second = StartupChecks.registerSchemas(settings.build());
        assertThat(idOfLatest(input + "-out-value")).isEqualTo(resultSchemaId(first)).isEqualTo(resultSchemaId(second));
        assertThat(versionCount(input + "-out-value")).as("a job restart registers no new version").isEqualTo(1);

        // Another record's schema already holds the subject, under a compatibility rule.
        String taken = uniqueTopic("taken");
        registerByHand(taken + "-value", new Schema.Parser().parse("""
                {"type": "record", "name": "Invoice", "fields": [{"name": "total", "type": "long"}]}"""));
        send(HttpRequest.newBuilder(URI.create(registry.ccompatUrl() + "/config/" + taken + "-value"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\": \"BACKWARD\"}")), 200);
        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings.outputTopic(taken).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refused FaceStream's FaceDetectionResult schema for subject " + taken + "-value")
                .hasMessageContaining("HTTP 409")
                .hasMessageContaining("compatibility rule");

        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings.schemaRegistry("http://127.0.0.1:1/apis/ccompat/v6").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://127.0.0.1:1/apis/ccompat/v6 did not answer")
                .hasMessageContaining("Check the URL");
        assertThatThrownBy(() -> StartupChecks.registerSchemas(settings.schemaRegistry(registry.ccompatUrl() + "/no-such-api").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HTTP 404");
    }

    /** Decodes each value with the schema the registry has for its id, which must be the class's. */
    private static <T extends SpecificRecord> List<T> readFramed(String topic, Class<T> type) throws Exception {
        Schema expected = org.apache.avro.specific.SpecificData.get().getSchema(type);
        Set<Integer> ids = new HashSet<>();
        List<T> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumeCommitted(topic)) {
            ByteBuffer value = ByteBuffer.wrap(record.value());
            assertThat(value.get()).as("magic byte").isEqualTo((byte) 0);
            int id = value.getInt();
            ids.add(id);
            Schema writer = new Schema.Parser().parse(schemaTextById(id));
            assertThat(SchemaNormalization.toParsingForm(writer)).isEqualTo(SchemaNormalization.toParsingForm(expected));
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(record.value(), 5, record.value().length - 5, null);
            values.add(new SpecificDatumReader<T>(writer, expected).read(null, decoder));
            assertThat(decoder.isEnd()).isTrue();
        }
        assertThat(ids).as("one schema id in " + topic).hasSizeLessThanOrEqualTo(1);
        if (!ids.isEmpty()) {
            assertThat(idOfLatest(topic + "-value")).isEqualTo(ids.iterator().next());
        }
        return values;
    }

    private static int resultSchemaId(KafkaSettings settings) {
        return settings.registeredSchemas().orElseThrow().resultSchemaId();
    }

    private static Schema imageEventWithCameraField() {
        JsonObject schema = JsonParser.parseString(ImageEvent.getClassSchema().toString()).getAsJsonObject();
        JsonObject camera = new JsonObject();
        camera.addProperty("name", "camera");
        camera.addProperty("type", "string");
        camera.addProperty("default", "");
        schema.getAsJsonArray("fields").add(camera);
        return new Schema.Parser().parse(schema.toString());
    }

    private static ImageEvent event(String id, String photo) throws Exception {
        return ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.now())
                .setImageBytes(ByteBuffer.wrap(photo(photo))).build();
    }

    private static byte[] photo(String name) throws Exception {
        return Files.readAllBytes(GoldenDetections.testdata().resolve(name));
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] encode(Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    // The registry's REST API by hand, independent of the client under test.

    private static int registerByHand(String subject, Schema schema) throws Exception {
        JsonObject body = new JsonObject();
        body.addProperty("schema", schema.toString());
        return json(send(HttpRequest.newBuilder(URI.create(registry.ccompatUrl() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())), 200)).get("id").getAsInt();
    }

    private static String schemaTextById(int id) throws Exception {
        return json(send(HttpRequest.newBuilder(URI.create(registry.ccompatUrl() + "/schemas/ids/" + id)).GET(), 200))
                .get("schema").getAsString();
    }

    private static int idOfLatest(String subject) throws Exception {
        return json(send(HttpRequest.newBuilder(URI.create(registry.ccompatUrl() + "/subjects/" + subject + "/versions/latest"))
                .GET(), 200)).get("id").getAsInt();
    }

    private static int versionCount(String subject) throws Exception {
        return JsonParser.parseString(send(HttpRequest.newBuilder(URI.create(registry.ccompatUrl() + "/subjects/" + subject + "/versions"))
                .GET(), 200)).getAsJsonArray().size();
    }

    private static JsonObject json(String body) {
        return JsonParser.parseString(body).getAsJsonObject();
    }

    private static String send(HttpRequest.Builder request, int expectedStatus) throws Exception {
        HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", response.uri(), response.body()).isEqualTo(expectedStatus);
        return response.body();
    }
}
