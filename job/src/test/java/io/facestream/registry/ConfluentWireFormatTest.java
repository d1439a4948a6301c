package io.facestream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.schemas.AvroCodec;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

    @Test
    void theHeaderIsMagicByteZeroThenTheIdBigEndian() throws Exception {
        byte[] framed = ConfluentWireFormat.frame(0x01020304, new byte[] {42, 43});
        assertThat(framed).containsExactly(0, 1, 2, 3, 4, 42, 43);
        assertThat(ConfluentWireFormat.schemaId(framed)).isEqualTo(0x01020304);
        assertThat(ConfluentWireFormat.schemaId(new byte[] {0, 0, 0, 1, 0x2c})).as("an empty body is framed too").isEqualTo(300);
    }

    @Test
    void valuesWithoutTheHeaderAreRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {0, 0, 1}))
                .isInstanceOf(ConfluentWireFormat.NotFramedException.class)
                .hasMessageContaining("3 byte(s)");
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {0x0a, 0, 0, 0, 1, 9}))
                .isInstanceOf(ConfluentWireFormat.NotFramedException.class)
                .hasMessageContaining("first byte is 0x0a");
    }

    @Test
    void theSerializerWritesTheHeaderAndThenThePlainAvroEncoding() {
        DeadLetter deadLetter = DeadLetter.newBuilder().setEventId("e1").setReason(DeadLetterReason.TIMEOUT)
                .setMessage("slow").setPayloadSize(0).setFailedAt(Instant.ofEpochMilli(5)).build();
        ConfluentAvroSerializationSchema<DeadLetter> serializer = new ConfluentAvroSerializationSchema<>(DeadLetter.class, 258);
        byte[] first = serializer.serialize(deadLetter);
        byte[] second = serializer.serialize(deadLetter);

        assertThat(Arrays.copyOf(first, 5)).containsExactly(0, 0, 0, 1, 2);
        assertThat(Arrays.copyOfRange(first, 5, first.length)).isEqualTo(AvroCodec.encode(deadLetter));
        assertThat(second).as("the reused buffer leaves nothing behind").isEqualTo(first);
    }
}
