package io.facestream.job;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Names each event's source (camera, stream) for tracking: its record key, or, given a field, that
 * field of its metadata (raw input: the record header of that name). An event without one has no
 * source and passes the tracker untracked.
 */
public class StreamSources implements MapFunction<SourcedImageEvent, SourcedImageEvent> {

    private static final long serialVersionUID = 1L;

    /** The metadata field naming the source; null: the record key. */
    private final String sourceField;

    public StreamSources(String sourceField) {
        this.sourceField = sourceField;
    }

    @Override
    public SourcedImageEvent map(SourcedImageEvent sourced) {
        String source = sourceField == null ? sourced.recordKey
                : sourced.event == null || sourced.event.getMetadata() == null ? null : sourced.event.getMetadata().get(sourceField);
        sourced.streamSource = source == null || source.isEmpty() ? null : source;
        return sourced;
    }
}
