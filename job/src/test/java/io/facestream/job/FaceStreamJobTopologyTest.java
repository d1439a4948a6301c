package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.track.TrackingSettings;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** Tracking adds its operators and nothing else changes: without --track the job is the job it always was. */
class FaceStreamJobTopologyTest {

    /** The operators (by uid) of the job as it was before tracking existed; savepoints of that job find them by these. */
    private static final List<String> DETECTION_ONLY = List.of("image-events", "detect-faces", "route-outcomes",
            "detections-sink", "Sink Committer: detections-sink", "dead-letters-sink", "Sink Committer: dead-letters-sink");

    @Test
    void withoutTrackingTheJobHasExactlyTheOperatorsOfTheDetector() {
        assertThat(uids(FaceStreamJob.onKafka(kafka(null), FaceDetectionSettings.defaults())))
                .containsExactlyInAnyOrderElementsOf(DETECTION_ONLY);
        assertThat(uids(FaceStreamJob.onKafka(kafka(null), FaceDetectionSettings.defaults(), TrackingSettings.defaults())))
                .containsExactlyInAnyOrderElementsOf(DETECTION_ONLY);
    }

    @Test
    void trackingAddsTheStreamSourcesTheTrackerAndTheTracksSink() {
        TrackingSettings tracking = TrackingSettings.builder().enabled(true).build();
        assertThat(uids(FaceStreamJob.onKafka(kafka("tracks"), FaceDetectionSettings.defaults(), tracking)))
                .containsAll(DETECTION_ONLY).contains("stream-sources", "track-faces", "tracks-sink");
        assertThat(uids(FaceStreamJob.onKafka(kafka(null), FaceDetectionSettings.defaults(), tracking)))
                .contains("track-faces").doesNotContain("tracks-sink");
    }

    @Test
    void cropsAndAnonymizedTopicsAddOnlyTheirSinksAndTheOutcomesStayFlinkPojos() {
        KafkaSettings kafka = KafkaSettings.builder().bootstrapServers("localhost:9092")
                .cropsTopic("crops").anonymizedTopic("anonymized").build();
        assertThat(uids(FaceStreamJob.onKafka(kafka, FaceDetectionSettings.defaults())))
                .containsExactlyInAnyOrderElementsOf(concat(DETECTION_ONLY, List.of("crops-sink", "Sink Committer: crops-sink",
                        "anonymized-sink", "Sink Committer: anonymized-sink")));
        // Outcomes cross the tracker's keyBy and wait in its state: no field may fall back to Kryo.
        TypeInformation<DetectionOutcome> outcome = TypeInformation.of(DetectionOutcome.class);
        assertThat(outcome).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<DetectionOutcome> pojo = (PojoTypeInfo<DetectionOutcome>) outcome;
        for (int i = 0; i < pojo.getArity(); i++) {
            assertThat(pojo.getPojoFieldAt(i).getTypeInformation()).as(pojo.getPojoFieldAt(i).getField().getName())
                    .isNotInstanceOf(GenericTypeInfo.class);
        }
        assertThat(pojo.getFieldNames()).contains("crops", "anonymized", "cropsSkipped");
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }

    @Test
    void aTracksTopicWithoutTrackingAndRawInputWithoutASourceFieldAreRefusedWithTheFix() {
        assertThatThrownBy(() -> FaceStreamJob.onKafka(kafka("tracks"), FaceDetectionSettings.defaults()))
                .hasMessageContaining("--tracks-topic").hasMessageContaining("add --track");
        KafkaSettings raw = KafkaSettings.builder().bootstrapServers("localhost:9092").inputFormat(InputFormat.RAW).build();
        assertThatThrownBy(() -> FaceStreamJob.onKafka(raw, FaceDetectionSettings.defaults(),
                TrackingSettings.builder().enabled(true).build())).hasMessageContaining("--source-field");
        assertThat(uids(FaceStreamJob.onKafka(raw, FaceDetectionSettings.defaults(),
                TrackingSettings.builder().enabled(true).sourceField("camera").build()))).contains("track-faces");
    }

    private static KafkaSettings kafka(String tracksTopic) {
        return KafkaSettings.builder().bootstrapServers("localhost:9092").tracksTopic(tracksTopic).build();
    }

    private static List<String> uids(FaceStreamJob job) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.build(env);
        return env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getTransformationUID)
                .filter(Objects::nonNull).toList();
    }
}
