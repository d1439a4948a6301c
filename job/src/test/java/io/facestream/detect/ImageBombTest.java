package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Decompression bombs of every accepted format are refused from their headers, before any pixel
 * buffer exists. The bombs are 4096x4096 against a limit of 1 megapixel, so that decoding one
 * anyway (the control, which proves both that the bomb is real and that the measurement sees a
 * decode) costs tens of megabytes, not the gigabyte a 16383x16383 one does; BombPeakMemory runs
 * the same table with the real limits by hand.
 */
@Timeout(180)
class ImageBombTest {

    private static final int SIDE = 4096;
    private static final long PIXEL_LIMIT = 1_000_000;

    @Test
    void everyFormatsBombIsRefusedInProcess() {
        ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE, PIXEL_LIMIT);
        Map<String, byte[]> bombs = ImageBombs.all(SIDE);
        assertThat(bombs.values()).extracting(ImageDecoder::sniff).containsAll(List.of(ImageDecoder.Format.values()));
        bombs.forEach((name, bomb) -> {
            try (DecodedImage image = decoder.decode(bomb, null)) {
                throw new AssertionError(name + " was decoded: " + image.width() + "x" + image.height());
            } catch (ImageRejectedException e) {
                assertThat(e.reason()).as(name).isEqualTo(RejectReason.IMAGE_TOO_LARGE);
                assertThat(e.getMessage()).as(name).contains("pixels");
            }
        });
    }

    @Test
    void refusingABombTakesNoMemoryWhereDecodingItTakesTensOfMegabytes() throws Exception {
        List<BombPeakMemory.Row> rows = measureInFreshJvm();
        System.out.println(BombPeakMemory.table(rows, PIXEL_LIMIT));

        assertThat(rows).hasSize(ImageBombs.all(64).size());
        for (BombPeakMemory.Row row : rows) {
            assertThat(row.refused()).as(row.name()).isEqualTo(RejectReason.IMAGE_TOO_LARGE.name());
            assertThat(row.refusedGrowthKb()).as(row.name() + ": peak growth while refusing, KB").isLessThan(4 * 1024);
            assertThat(row.decoded()).as(row.name()).isEqualTo("DECODED " + row.width() + "x" + row.height());
            assertThat(row.decodedGrowthKb() * 1024).as(row.name() + ": peak growth while decoding, bytes")
                    .isGreaterThan(row.pixelsAtOnce() * 3 * 9 / 10);
        }
    }

    private static List<BombPeakMemory.Row> measureInFreshJvm() throws IOException, InterruptedException {
        String output = FreshJvm.run(BombPeakMemory.class, String.valueOf(SIDE), String.valueOf(PIXEL_LIMIT));
        return FreshJvm.rows(output, BombPeakMemory.ROW).stream().map(BombPeakMemory.Row::parse).toList();
    }
}
