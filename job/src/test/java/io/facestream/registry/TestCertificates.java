package io.facestream.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate for 127.0.0.1 and localhost, made by the JDK's keytool in a
 * folder of the test's: the server's PKCS12 key store, the certificate as PEM, and a PKCS12 trust
 * store holding it, all with {@link #PASSWORD}.
 */
public record TestCertificates(Path keyStore, Path certificatePem, Path trustStore) {

    public static final String PASSWORD = "test-store-password";

    public static TestCertificates make(Path folder) throws IOException, InterruptedException {
        TestCertificates made = new TestCertificates(folder.resolve("server.p12"), folder.resolve("server.pem"),
                folder.resolve("trust.p12"));
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", made.keyStore.toString(), "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", made.keyStore.toString(), "-storepass", PASSWORD,
                "-file", made.certificatePem.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", made.certificatePem.toString(),
                "-storetype", "PKCS12", "-keystore", made.trustStore.toString(), "-storepass", PASSWORD);
        return made;
    }

    /** The server side's SSL context, presenting the certificate. */
    public SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
