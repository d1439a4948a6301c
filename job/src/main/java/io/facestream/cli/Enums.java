package io.facestream.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Case-insensitive enum flags ({@code at-least-once} for AT_LEAST_ONCE) with an error that lists the choices. */
final class Enums {

    private Enums() {}

    static <E extends Enum<E>> E parse(Class<E> type, String flag, String value) {
        return parse(flag, value, type.getEnumConstants());
    }

    /** Like {@link #parse(Class, String, String)}, accepting only {@code choices} (a library enum's useful subset). */
    @SafeVarargs
    static <E extends Enum<E>> E parse(String flag, String value, E... choices) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(choices).filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(flag + " " + value + ": choose one of "
                        + Arrays.stream(choices).map(Enums::flagValue).collect(Collectors.joining(", "))));
    }

    /** How the command line spells an enum value. */
    static String flagValue(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
