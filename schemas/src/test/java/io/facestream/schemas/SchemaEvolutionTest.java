package io.facestream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.FaceTrack;
import io.facestream.avro.ImageEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Schemas evolve only in backward-compatible ways: {@code history/<Record>/v<N>.avsc} keeps every
 * released version of each record, the newest is the current schema, and every version reads data
 * written with every earlier one (Confluent's BACKWARD_TRANSITIVE).
 */
class SchemaEvolutionTest {

    static {
        AvroTrust.trustFaceStreamSchemas();
    }

    private static final Path HISTORY = Path.of("history");
    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");
    private static final Map<String, Class<? extends SpecificRecord>> RECORDS = Map.of(
            "ImageEvent", ImageEvent.class,
            "FaceDetectionResult", FaceDetectionResult.class,
            "DeadLetter", DeadLetter.class,
            "FaceTrack", FaceTrack.class,
            "FaceCrop", FaceCrop.class);

    @ParameterizedTest
    @ValueSource(strings = {"ImageEvent", "FaceDetectionResult", "DeadLetter", "FaceTrack", "FaceCrop"})
    void theNewestVersionInTheHistoryIsTheCurrentSchema(String record) throws IOException {
        List<Schema> versions = versions(record);
        Schema current = currentSchema(record);
        assertThat(SchemaNormalization.toParsingForm(versions.get(versions.size() - 1)))
                .as("%s changed in schemas/src/main/avro: add it as history/%s/v%d.avsc (schemas/README.md, 'Changing a schema')",
                        record, record, versions.size() + 1)
                .isEqualTo(SchemaNormalization.toParsingForm(current));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ImageEvent", "FaceDetectionResult", "DeadLetter", "FaceTrack", "FaceCrop"})
    void everyVersionReadsDataWrittenWithEveryEarlierOne(String record) throws IOException {
        List<Schema> versions = versions(record);
        List<String> problems = new ArrayList<>();
        for (int reader = 1; reader < versions.size(); reader++) {
            for (int writer = 0; writer < reader; writer++) {
                for (String problem : incompatibilities(versions.get(reader), versions.get(writer))) {
                    problems.add(record + " v" + (reader + 1) + " cannot read v" + (writer + 1) + ": " + problem);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ImageEvent", "FaceDetectionResult", "DeadLetter", "FaceTrack", "FaceCrop"})
    void theGeneratedClassesDecodeRandomDataOfEveryVersion(String record) throws IOException {
        List<Schema> versions = versions(record);
        for (int v = 0; v < versions.size(); v++) {
            Schema writer = versions.get(v);
            SpecificDatumReader<SpecificRecord> reader = new SpecificDatumReader<>(writer, currentSchema(record));
            int decoded = 0;
            for (Object datum : new RandomData(writer, 50, 17L + v)) {
                GenericRecord written = (GenericRecord) datum;
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(encode(writer, written), null);
                SpecificRecord read = reader.read(null, decoder);
                assertThat(decoder.isEnd()).as("%s v%d: the whole value is consumed", record, v + 1).isTrue();
                for (Schema.Field field : writer.getFields()) {
                    if (isPlainText(field.schema()) && read.getSchema().getField(field.name()) != null) {
                        assertThat(String.valueOf(read.get(read.getSchema().getField(field.name()).pos())))
                                .as("%s v%d field %s", record, v + 1, field.name())
                                .isEqualTo(String.valueOf(written.get(field.name())));
                    }
                }
                decoded++;
            }
            assertThat(decoded).isEqualTo(50);
        }
    }

    /** detections.jsonl and the like, written by an earlier release, still read: Avro's JSON names only its writer's fields. */
    @ParameterizedTest
    @ValueSource(strings = {"ImageEvent", "FaceDetectionResult", "DeadLetter", "FaceTrack", "FaceCrop"})
    void jsonLinesOfEveryVersionReadBack(String record) throws IOException {
        List<Schema> versions = versions(record);
        for (int v = 0; v < versions.size(); v++) {
            Schema writer = versions.get(v);
            int read = 0;
            for (Object datum : new RandomData(writer, 20, 31L + v)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                var encoder = EncoderFactory.get().jsonEncoder(writer, out);
                new GenericDatumWriter<GenericRecord>(writer).write((GenericRecord) datum, encoder);
                encoder.flush();
                SpecificRecord decoded = AvroCodec.decodeJson(out.toString(java.nio.charset.StandardCharsets.UTF_8), RECORDS.get(record));
                for (Schema.Field field : writer.getFields()) {
                    if (isPlainText(field.schema())) {
                        assertThat(String.valueOf(decoded.get(decoded.getSchema().getField(field.name()).pos())))
                                .as("%s v%d field %s", record, v + 1, field.name())
                                .isEqualTo(String.valueOf(((GenericRecord) datum).get(field.name())));
                    }
                }
                read++;
            }
            assertThat(read).isEqualTo(20);
        }
    }

    @Test
    void aRequiredFieldWithoutDefaultIsReportedAsIncompatible() {
        Schema current = DeadLetter.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : current.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(new Schema.Field("retries", Schema.create(Schema.Type.INT), "added without a default", (Object) null));
        Schema next = Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);

        assertThat(incompatibilities(next, current)).singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT").contains("retries");
        assertThat(incompatibilities(current, next)).as("dropping a field is backward compatible").isEmpty();
    }

    @Test
    void historyFoldersHoldOnlyTheKnownRecords() throws IOException {
        try (Stream<Path> folders = Files.list(HISTORY)) {
            assertThat(folders.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(RECORDS.keySet());
        }
    }

    private static List<String> incompatibilities(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .toList();
    }

    /** v1, v2, ... of a record, each parsed on its own (a version file is self-contained). */
    private static List<Schema> versions(String record) throws IOException {
        Path folder = HISTORY.resolve(record);
        List<Path> files;
        try (Stream<Path> listed = Files.list(folder)) {
            files = listed.toList();
        }
        Schema[] versions = new Schema[files.size()];
        for (Path file : files) {
            Matcher name = VERSION_FILE.matcher(file.getFileName().toString());
            assertThat(name.matches()).as("%s: version files are named v<N>.avsc", file).isTrue();
            int version = Integer.parseInt(name.group(1));
            assertThat(version).as("%s: versions are numbered 1..%d without gaps", file, files.size())
                    .isBetween(1, files.size());
            versions[version - 1] = new Schema.Parser().parse(file.toFile());
            assertThat(versions[version - 1].getName()).as(file.toString()).isEqualTo(record);
        }
        return List.of(versions);
    }

    private static Schema currentSchema(String record) {
        return org.apache.avro.specific.SpecificData.get().getSchema(RECORDS.get(record));
    }

    private static boolean isPlainText(Schema schema) {
        return (schema.getType() == Schema.Type.STRING || schema.getType() == Schema.Type.ENUM) && schema.getLogicalType() == null;
    }

    private static byte[] encode(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
