package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The decoder never fails other than with a rejection, and never decodes past its pixel limit or
 * at another size than the header it checked, for thousands of damaged images of every accepted
 * format ({@link ImageDecoderFuzz}). Run in a fresh JVM, where the peak memory of each case can
 * be measured and the native decoders' complaints about the damage stay out of the build's output.
 */
@Timeout(180)
class ImageDecoderFuzzTest {

    /**
     * Twice the most a decode within the limit costs: 11 bytes a pixel (WebP with alpha: libwebp's
     * ARGB image, OpenCV's BGRA one, then BGR). A buffer for a mangled size past the limit, most
     * often megapixels, would show.
     */
    private static final long MAX_PEAK_GROWTH_KB = ImageDecoderFuzz.PIXEL_LIMIT * 11 * 2 / 1024;

    @Test
    void everyCaseDecodesAtItsDeclaredSizeOrIsRejectedWithAReason() throws Exception {
        String output = FreshJvm.run(ImageDecoderFuzz.class);
        List<String> failures = FreshJvm.rows(output, ImageDecoderFuzz.FAILURE).stream().map(f -> f[0]).toList();
        Map<String, Integer> decodedByImage = FreshJvm.rows(output, ImageDecoderFuzz.DECODED).stream()
                .collect(Collectors.toMap(f -> f[0], f -> Integer.parseInt(f[1])));
        Map<String, Integer> rejectedByReason = FreshJvm.rows(output, ImageDecoderFuzz.REJECTED).stream()
                .collect(Collectors.toMap(f -> f[0], f -> Integer.parseInt(f[1])));
        String[] summary = FreshJvm.rows(output, ImageDecoderFuzz.SUMMARY).get(0);
        int cases = Integer.parseInt(summary[0]);
        long largestPeakGrowthKb = Long.parseLong(summary[2]);
        System.out.printf("[fuzz] seed %d: %d cases in %s s; decoded %s; rejected %s; largest peak growth of one case %d KB (%s)%n",
                ImageDecoderFuzz.SEED, cases, summary[1], decodedByImage, rejectedByReason, largestPeakGrowthKb, summary[3]);

        assertThat(failures).as("cases where something other than a rejection escaped, or the size was wrong").isEmpty();
        assertThat(cases).isGreaterThan(5000);
        assertThat(decodedByImage.keySet()).as("valid images of which some mutations still decode")
                .containsExactlyInAnyOrderElementsOf(ImageDecoderFuzz.validImages().keySet());
        assertThat(rejectedByReason).containsKeys(RejectReason.CORRUPT_IMAGE.name(), RejectReason.IMAGE_TOO_LARGE.name(),
                RejectReason.UNSUPPORTED_FORMAT.name());
        assertThat(largestPeakGrowthKb).as("largest peak memory growth of one case, KB").isLessThan(MAX_PEAK_GROWTH_KB);
    }
}
