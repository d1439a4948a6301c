package io.facestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the images to process: named files as given (read by their content, whatever their name),
 * folders searched for image files by their names, every other file of a folder named as skipped.
 */
final class ImageFiles {

    /** An image file and its path relative to the folder it was found in (for output layouts). */
    record ImageFile(Path path, Path relative) {
        String name() {
            return relative.toString().replace('\\', '/');
        }
    }

    /** What was found: the images, and the files of the folders that are not images by their names. */
    record Found(List<ImageFile> images, List<String> skipped) {

        /** How many skipped file names a summary lists before it only counts the rest. */
        static final int SKIPPED_LISTED = 20;

        /** "skipped 2: drawing.svg, notes.txt (not images by their names)" for a summary line; "" when none was. */
        String skippedSummary() {
            if (skipped.isEmpty()) {
                return "";
            }
            String listed = String.join(", ", skipped.subList(0, Math.min(SKIPPED_LISTED, skipped.size())));
            String more = skipped.size() > SKIPPED_LISTED ? " and " + (skipped.size() - SKIPPED_LISTED) + " more" : "";
            return "skipped " + skipped.size() + ": " + listed + more + " (not images by their names)";
        }
    }

    /** The extensions that make a folder's file an image, as a message lists them. */
    static final String EXTENSIONS_TEXT = "jpg, png, bmp, webp, tiff, pnm";

    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "pgm", "ppm", "pnm");

    private ImageFiles() {}

    static List<ImageFile> collect(List<Path> inputs, boolean recursive) throws IOException {
        return find(inputs, recursive).images();
    }

    /**
     * The images of {@code inputs}: a file as given, a folder's files (its sub-folders' too where
     * {@code recursive}) that are images by their names, sorted; the folders' other files skipped.
     *
     * @throws IllegalArgumentException for an input that is neither a file nor a folder
     */
    static Found find(List<Path> inputs, boolean recursive) throws IOException {
        List<ImageFile> images = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> found = recursive ? Files.walk(input) : Files.list(input)) {
                    for (Path path : found.filter(Files::isRegularFile).sorted().toList()) {
                        ImageFile file = new ImageFile(path, input.relativize(path));
                        if (hasImageExtension(path)) {
                            images.add(file);
                        } else {
                            skipped.add(file.name());
                        }
                    }
                }
            } else if (Files.isRegularFile(input)) {
                images.add(new ImageFile(input, input.getFileName()));
            } else {
                throw new IllegalArgumentException(input + ": no such file or folder");
            }
        }
        return new Found(images, skipped);
    }

    static boolean hasImageExtension(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
