package io.facestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Finds the images to process: named files as given, folders searched for image files. */
final class ImageFiles {

    /** An image file and its path relative to the folder it was found in (for output layouts). */
    record ImageFile(Path path, Path relative) {
        String name() {
            return relative.toString().replace('\\', '/');
        }
    }

    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "pgm", "ppm", "pnm");

    private ImageFiles() {}

    static List<ImageFile> collect(List<Path> inputs, boolean recursive) throws IOException {
        List<ImageFile> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> found = recursive ? Files.walk(input) : Files.list(input)) {
                    found.filter(Files::isRegularFile).filter(ImageFiles::hasImageExtension).sorted()
                            .forEach(path -> files.add(new ImageFile(path, input.relativize(path))));
                }
            } else if (Files.isRegularFile(input)) {
                files.add(new ImageFile(input, input.getFileName()));
            } else {
                throw new IllegalArgumentException(input + ": no such file or folder");
            }
        }
        return files;
    }

    static boolean hasImageExtension(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
