package io.facestream.job;

import io.facestream.avro.DeadLetterReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Reads images that events carry by reference (claim check) through Flink's file systems, so
 * {@code file://} works everywhere and {@code s3://} and the like wherever their Flink plugin is
 * installed. Only URIs under an allowed location are read: a producer must not be able to make
 * the job read any file a TaskManager can see.
 */
public final class ImageReferences implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<String> allowed;

    /** @param allowedLocations URI prefixes such as {@code file:///data/images/} or {@code s3://bucket/images/} */
    public ImageReferences(List<String> allowedLocations) {
        List<String> normalised = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String location : allowedLocations) {
            try {
                URI uri = new URI(location).normalize();
                if (uri.getScheme() == null || uri.getPath() == null || !uri.getPath().startsWith("/")) {
                    problems.add(location + " (give an absolute URI with a scheme, e.g. file:///data/images/)");
                    continue;
                }
                String text = comparable(uri);
                normalised.add(text.endsWith("/") ? text : text + "/");
            } catch (URISyntaxException e) {
                problems.add(location + " (" + e.getMessage() + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("--image-uri-allow: not a location: " + String.join(", ", problems));
        }
        this.allowed = List.copyOf(normalised);
    }

    public List<String> allowedLocations() {
        return allowed;
    }

    /** The image at {@code uri}, at most {@code maxBytes} long. */
    public byte[] read(String uri, long maxBytes) throws EventRejectedException {
        URI parsed = check(uri);
        Path path = new Path(parsed);
        try {
            FileSystem fs = path.getFileSystem();
            long length = fs.getFileStatus(path).getLen();
            if (length > maxBytes) {
                throw new EventRejectedException(DeadLetterReason.PAYLOAD_TOO_LARGE, String.format(
                        "The image at imageUri '%s' has %d bytes, over the limit of %d. Raise --max-image-bytes or send smaller images.",
                        uri, length, maxBytes));
            }
            try (InputStream in = fs.open(path)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, length));
                in.transferTo(out);
                return out.toByteArray();
            }
        } catch (IOException e) {
            throw new EventRejectedException(DeadLetterReason.IMAGE_URI_UNREADABLE, "imageUri '" + uri
                    + "' could not be read (" + e + "). Check that it exists and every TaskManager can read it "
                    + "(for s3:// and the like, install Flink's file system plugin).", e);
        }
    }

    /** The parsed URI, if it is under an allowed location and does not climb out of it. */
    URI check(String uri) throws EventRejectedException {
        if (allowed.isEmpty()) {
            throw new EventRejectedException(DeadLetterReason.IMAGE_URI_NOT_ALLOWED, "The event carries imageUri '" + uri
                    + "', but reading images by reference is off. Start the job with --image-uri-allow LOCATION "
                    + "(e.g. file:///data/images/) to allow it, or send the image bytes.");
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new EventRejectedException(DeadLetterReason.IMAGE_URI_NOT_ALLOWED, "imageUri '" + uri
                    + "' is not a valid URI (" + e.getMessage() + ").");
        }
        String path = parsed.getPath();
        if (parsed.getScheme() == null || path == null || climbs(path)) {
            throw new EventRejectedException(DeadLetterReason.IMAGE_URI_NOT_ALLOWED, "imageUri '" + uri
                    + "' must be an absolute URI without '.' or '..' segments.");
        }
        String text = comparable(parsed);
        for (String location : allowed) {
            if (text.startsWith(location)) {
                return parsed;
            }
        }
        throw new EventRejectedException(DeadLetterReason.IMAGE_URI_NOT_ALLOWED, "imageUri '" + uri
                + "' is outside the allowed locations " + allowed + " (--image-uri-allow).");
    }

    /** Scheme and authority compared without case, the decoded path as it is. */
    private static String comparable(URI uri) {
        String authority = uri.getAuthority() == null ? "" : uri.getAuthority().toLowerCase(Locale.ROOT);
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + authority + uri.getPath();
    }

    private static boolean climbs(String decodedPath) {
        for (String segment : decodedPath.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return true;
            }
        }
        return false;
    }
}
