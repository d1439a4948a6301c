package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private static final byte[] BYTES = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void aBufferOverAWholeArrayGivesThatArray() {
        byte[] array = BYTES.clone();
        assertThat(DeadLetters.bytes(ByteBuffer.wrap(array))).isSameAs(array);
    }

    @Test
    void anyOtherBufferGivesACopyOfJustItsRemainingBytes() {
        assertThat(DeadLetters.bytes(ByteBuffer.wrap(BYTES, 2, 3))).containsExactly(3, 4, 5);
        assertThat(DeadLetters.bytes(ByteBuffer.wrap(BYTES, 1, 7).slice())).containsExactly(2, 3, 4, 5, 6, 7, 8);
        assertThat(DeadLetters.bytes(ByteBuffer.wrap(BYTES, 0, 7))).containsExactly(1, 2, 3, 4, 5, 6, 7);
        ByteBuffer readOnly = ByteBuffer.wrap(BYTES).asReadOnlyBuffer();
        assertThat(DeadLetters.bytes(readOnly)).containsExactly(BYTES).isNotSameAs(BYTES);
        assertThat(readOnly.remaining()).isEqualTo(BYTES.length);
        ByteBuffer direct = ByteBuffer.allocateDirect(3).put(new byte[] {9, 8, 7}).flip();
        assertThat(DeadLetters.bytes(direct)).containsExactly(9, 8, 7);
        assertThat(DeadLetters.bytes(null)).isNull();
    }
}
