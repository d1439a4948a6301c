package io.facestream.eval;

/** Image names as WIDER FACE files spell them: {@code <event>/<name>.jpg}, compared without the extension. */
final class WiderNames {

    private WiderNames() {}

    /** {@code 0--Parade/0_Parade_1.jpg} (or with backslashes) becomes {@code 0--Parade/0_Parade_1}. */
    static String key(String image) {
        String path = image.trim().replace('\\', '/');
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash + 1 ? path.substring(0, dot) : path;
    }
}
