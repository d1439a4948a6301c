package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceTrack;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.GoldenDetections;
import io.facestream.eval.TrackingGroundTruth;
import io.facestream.eval.TrackingScore;
import io.facestream.eval.TrackingSequence;
import io.facestream.schemas.AvroCodec;
import io.facestream.track.TrackingSettings;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job with --track on a real broker and MiniCluster: a camera's frames (two faces crossing, a third
 * hidden for five frames, frames out of order by up to 120 ms) and a second camera showing one photo,
 * with a garbage record between them.
 */
@Timeout(300)
class TrackingIT extends KafkaFlinkTestBase {

    private static final String CAMERA = "camera-1";
    private static final String STILL_CAMERA = "camera-2";
    private static final int STILL_FRAMES = 12;

    @Test
    void eachFaceKeepsOneTrackThroughCrossingHidingAndDisorderAndEveryEndedTrackIsSummarised() throws Exception {
        TrackingSequence sequence;
        try (FaceDetector detector = FaceDetector.load(DetectorSettings.defaults()); FaceDetector.Session session = detector.newSession()) {
            sequence = TrackingSequence.generate(GoldenDetections.testdata(), session, TrackingSequence.Settings.defaults());
        }
        TrackingGroundTruth truth = sequence.groundTruth();
        String input = uniqueTopic("frames");
        String output = input + "-detections";
        String deadLetters = input + "-dead-letters";
        String tracks = input + "-tracks";
        broker().createTopics(2, input, output, deadLetters, tracks);

        Map<String, byte[]> frameBytes = new HashMap<>();
        for (int i = 0; i < truth.frames().size(); i++) {
            frameBytes.put(truth.frames().get(i).eventId(), sequence.frames().get(i));
        }
        Map<String, Long> eventTimes = truth.frames().stream()
                .collect(Collectors.toMap(TrackingGroundTruth.Frame::eventId, TrackingGroundTruth.Frame::eventTimeMillis));
        long start = truth.frames().get(0).eventTimeMillis();
        byte[] still = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        List<String> arrival = truth.arrivalOrder();
        for (int i = 0; i < arrival.size(); i++) {
            String eventId = arrival.get(i);
            records.add(frame(input, CAMERA, eventId, eventTimes.get(eventId), frameBytes.get(eventId)));
            if (i < STILL_FRAMES) {
                records.add(frame(input, STILL_CAMERA, "still-" + i, start + 100L * i, still));
            }
            if (i == arrival.size() / 2) {
                records.add(new ProducerRecord<>(input, bytes("garbage"), bytes("not an image event")));
            }
        }
        produce(input, records);

        KafkaSettings kafka = KafkaSettings.builder()
                .bootstrapServers(broker().bootstrapServers())
                .inputTopic(input).outputTopic(output).deadLetterTopic(deadLetters).tracksTopic(tracks)
                .groupId(input).transactionalIdPrefix(input).bounded(true)
                .build();
        var env = testEnvironment();
        FaceStreamJob.onKafka(kafka, FaceDetectionSettings.defaults(), TrackingSettings.builder().enabled(true).build()).build(env);
        env.execute("TrackingIT " + input);

        List<FaceDetectionResult> results = read(output, FaceDetectionResult.class);
        List<DeadLetter> dead = read(deadLetters, DeadLetter.class);
        Map<String, Long> outcomes = new HashMap<>();
        results.forEach(result -> outcomes.merge(result.getEventId(), 1L, Long::sum));
        dead.forEach(letter -> outcomes.merge(String.valueOf(letter.getEventId()), 1L, Long::sum));
        assertThat(outcomes).as("one outcome per record").hasSize(records.size()).allSatisfy((id, count) -> assertThat(count).isOne());
        assertThat(dead).extracting(DeadLetter::getEventId).containsExactly("garbage");

        List<FaceDetectionResult> cameraResults = results.stream().filter(result -> eventTimes.containsKey(result.getEventId())).toList();
        TrackingScore score = TrackingScore.of(truth, TrackingScore.trackedFaces(cameraResults));
        System.out.print(score.summary());
        assertThat(score.identities()).hasSize(3).allSatisfy(identity -> assertThat(identity.share())
                .as("share of %s's frames under its main track id %s", identity.id(), identity.mainTrackId())
                .isGreaterThanOrEqualTo(0.95));
        assertThat(score.identities()).extracting(TrackingScore.IdentityKeeping::mainTrackId).doesNotHaveDuplicates()
                .allSatisfy(id -> assertThat(id).startsWith(CAMERA + "/"));

        // The still camera: one face, one track, confirmed from its second frame on.
        List<String> stillIds = results.stream().filter(result -> result.getEventId().startsWith("still-"))
                .flatMap(result -> result.getFaces().stream()).map(Face::getTrackId).filter(id -> id != null).distinct().toList();
        assertThat(stillIds).singleElement().asString().startsWith(STILL_CAMERA + "/");

        // Every confirmed track ended with the input and was summarised once, agreeing with the results.
        Map<String, List<FaceTrack>> summaries = read(tracks, FaceTrack.class).stream()
                .collect(Collectors.groupingBy(FaceTrack::getTrackId));
        Map<String, List<Face>> facesPerTrack = new HashMap<>();
        Map<String, List<Long>> timesPerTrack = new HashMap<>();
        for (FaceDetectionResult result : results) {
            for (Face face : result.getFaces()) {
                if (face.getTrackId() != null) {
                    facesPerTrack.computeIfAbsent(face.getTrackId(), id -> new ArrayList<>()).add(face);
                    timesPerTrack.computeIfAbsent(face.getTrackId(), id -> new ArrayList<>()).add(result.getEventTime().toEpochMilli());
                }
            }
        }
        assertThat(summaries.keySet()).containsExactlyInAnyOrderElementsOf(facesPerTrack.keySet());
        for (Map.Entry<String, List<FaceTrack>> entry : summaries.entrySet()) {
            assertThat(entry.getValue()).as("summaries of " + entry.getKey()).hasSize(1);
            FaceTrack track = entry.getValue().get(0);
            List<Face> faces = facesPerTrack.get(track.getTrackId());
            // The frames of a confirmed track: those whose faces carry its id, and its unconfirmed first one.
            assertThat(track.getFrames()).isEqualTo(faces.size() + 1);
            assertThat(track.getLastEventTime().toEpochMilli()).isEqualTo(timesPerTrack.get(track.getTrackId()).stream().max(Long::compare).orElseThrow());
            assertThat(track.getFirstEventTime().toEpochMilli()).isLessThan(timesPerTrack.get(track.getTrackId()).stream().min(Long::compare).orElseThrow());
            assertThat(track.getSource()).isEqualTo(track.getTrackId().startsWith(CAMERA + "/") ? CAMERA : STILL_CAMERA);
            assertThat(track.getBestScore()).isGreaterThanOrEqualTo(faces.stream().map(Face::getScore).max(Float::compare).orElseThrow());
        }
    }

    private static ProducerRecord<byte[], byte[]> frame(String topic, String camera, String eventId, long eventTime, byte[] image) {
        ImageEvent event = ImageEvent.newBuilder().setEventId(eventId).setEventTime(Instant.ofEpochMilli(eventTime))
                .setContentType("image/jpeg").setImageBytes(ByteBuffer.wrap(image)).build();
        return new ProducerRecord<>(topic, bytes(camera), AvroCodec.encode(event));
    }
}
