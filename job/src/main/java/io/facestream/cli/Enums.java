package io.facestream.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Case-insensitive enum flags with an error that lists the choices. */
final class Enums {

    private Enums() {}

    static <E extends Enum<E>> E parse(Class<E> type, String flag, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String choices = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", "));
            throw new IllegalArgumentException(flag + " " + value + ": choose one of " + choices);
        }
    }
}
