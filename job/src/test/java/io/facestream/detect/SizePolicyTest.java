package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.detect.SizePolicy.InputPlan;
import org.junit.jupiter.api.Test;

class SizePolicyTest {

    @Test
    void letterboxScalesIntoTheSquareAndRounds() {
        // 512x678: scale 640/678 = 0.94395, width 483.3 -> 483
        assertThat(SizePolicy.parse("letterbox:640").plans(512, 678))
                .containsExactly(new InputPlan(640f / 678, 483, 640, 640, 640));
        assertThat(SizePolicy.parse("letterbox:640").plans(115, 115))
                .containsExactly(new InputPlan(640f / 115, 640, 640, 640, 640));
    }

    @Test
    void nativePadsToMultiplesOf32() {
        assertThat(SizePolicy.parse("native").plans(600, 400)).containsExactly(new InputPlan(1f, 600, 400, 608, 416));
        assertThat(SizePolicy.parse("native").plans(640, 640)).containsExactly(new InputPlan(1f, 640, 640, 640, 640));
    }

    @Test
    void seedKeepsTheOriginalUpTo1500AndScalesLargerToALongSideOf1000() {
        assertThat(SizePolicy.parse("seed").plans(1500, 1000)).containsExactly(new InputPlan(1f, 1500, 1000, 1500, 1000));
        assertThat(SizePolicy.parse("seed").plans(3000, 1999)).containsExactly(new InputPlan(1000f / 3000, 1000, 666, 1000, 666));
    }

    @Test
    void fitAndMultiScaleTheLongSideAndPad() {
        assertThat(SizePolicy.parse("fit:1280").plans(416, 416)).containsExactly(new InputPlan(1280f / 416, 1280, 1280, 1280, 1280));
        assertThat(SizePolicy.parse("multi:640,960").plans(1000, 500)).containsExactly(
                new InputPlan(0.64f, 640, 320, 640, 320),
                new InputPlan(0.96f, 960, 480, 960, 480));
        assertThat(SizePolicy.parse("multi").plans(100, 50)).extracting(InputPlan::resizedWidth).containsExactly(416, 832, 1280);
    }

    @Test
    void fitKeepsTheAspectAndGivesASquareImageTheLetterboxTensor() {
        for (int side : new int[] {115, 416, 640, 1999}) {
            assertThat(SizePolicy.parse("fit:640").plans(side, side)).isEqualTo(SizePolicy.parse("letterbox:640").plans(side, side));
        }
        // 16:9: 640x360 in 640x384, 60 % of the letterbox's 640x640.
        assertThat(SizePolicy.parse("fit:640").plans(1920, 1080)).containsExactly(new InputPlan(1f / 3, 640, 360, 640, 384));
    }

    @Test
    void theDefaultModelKeepsTheAspectByDefault() {
        assertThat(DetectorSettings.defaults().size()).hasToString("fit:640");
    }

    @Test
    void onlyAMatchingLetterboxKeepsAFixedSizeModelAsItIs() {
        assertThat(SizePolicy.parse("letterbox:640").alwaysSquare(640)).isTrue();
        assertThat(SizePolicy.parse("letterbox:512").alwaysSquare(640)).isFalse();
        assertThat(SizePolicy.parse("native").alwaysSquare(640)).isFalse();
    }

    @Test
    void rejectsUnknownPolicies() {
        for (String bad : new String[] {"letterbox:100", "huge", "fit", "native:3", "multi:0"}) {
            assertThatThrownBy(() -> SizePolicy.parse(bad)).as(bad).hasMessageContaining("choose letterbox:N, native, seed");
        }
    }
}
