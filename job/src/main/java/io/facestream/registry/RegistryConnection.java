package io.facestream.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to reach a schema registry: its URL, the credentials it wants and the certificates that vouch
 * for it. Holds references to the secrets, never the secrets ({@link SecretReference}), so that it
 * can travel in a job graph; {@link SchemaRegistryClient} reads them when it connects.
 *
 * @param auth how to prove who we are; {@link RegistryAuth#NONE} with no {@code credentials}
 * @param credentials {@code USER:PASSWORD} for basic authentication, the token for bearer; null without
 * @param truststore the certificates to trust for https, a PEM file or a PKCS12 or JKS trust store; null: the JDK's
 * @param truststorePassword the trust store's password; null: none (PEM, or a store without one)
 */
public record RegistryConnection(String url, RegistryAuth auth, SecretReference credentials, String truststore,
        SecretReference truststorePassword) implements Serializable {

    public RegistryConnection {
        if ((auth == RegistryAuth.NONE) != (credentials == null)) {
            throw new IllegalArgumentException(auth == RegistryAuth.NONE ? "credentials without an authentication scheme"
                    : auth.name().toLowerCase() + " authentication without credentials");
        }
    }

    /** A registry that wants no credentials and has a certificate the JDK trusts. */
    public static RegistryConnection anonymous(String url) {
        return new RegistryConnection(url, RegistryAuth.NONE, null, null, null);
    }

    /** The connection cannot be made from these settings; {@link #part()} says which of them is at fault. */
    public static final class UnusableSetting extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        public enum Part { CREDENTIALS, TRUSTSTORE }

        private final Part part;

        UnusableSetting(Part part, String message) {
            super(message);
            this.part = part;
        }

        public Part part() {
            return part;
        }
    }

    /**
     * The {@code Authorization} header's value, null without credentials; reads the secret. A refusal's
     * message names where the secret is kept and what is wrong, never the secret.
     */
    String authorization() {
        try {
            return authorizationHeader();
        } catch (IllegalStateException e) {
            throw new UnusableSetting(UnusableSetting.Part.CREDENTIALS, e.getMessage());
        }
    }

    /** An SSL context trusting only the trust store's certificates; null without a trust store (the JDK's CAs). */
    SSLContext sslContext() {
        try {
            return trustingTheStore();
        } catch (IllegalStateException e) {
            throw new UnusableSetting(UnusableSetting.Part.TRUSTSTORE, e.getMessage());
        }
    }

    private String authorizationHeader() {
        if (auth == RegistryAuth.NONE) {
            return null;
        }
        String secret = credentials.read();
        if (auth == RegistryAuth.BEARER) {
            return "Bearer " + secret.strip();
        }
        int colon = secret.indexOf(':');
        if (colon <= 0 || secret.contains("\n")) {
            throw new IllegalStateException(credentials + " must hold USER:PASSWORD, on one line, for basic authentication");
        }
        return "Basic " + Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
    }

    private SSLContext trustingTheStore() {
        if (truststore == null) {
            return null;
        }
        Path path = Path.of(truststore);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("the trust store " + truststore + " does not exist");
        }
        try {
            KeyStore trusted;
            byte[] bytes = Files.readAllBytes(path);
            if (new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.US_ASCII).contains("-----BEGIN")) {
                trusted = KeyStore.getInstance(KeyStore.getDefaultType());
                trusted.load(null, null);
                Collection<? extends Certificate> certificates;
                try (InputStream in = Files.newInputStream(path)) {
                    certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
                }
                if (certificates.isEmpty()) {
                    throw new IllegalStateException("the trust store " + truststore + " holds no PEM certificate");
                }
                int i = 0;
                for (Certificate certificate : certificates) {
                    trusted.setCertificateEntry("ca-" + i++, certificate);
                }
            } else {
                char[] password = truststorePassword == null ? null : truststorePassword.read().toCharArray();
                trusted = KeyStore.getInstance(path.toFile(), password);
                if (trusted.size() == 0) {
                    throw new IllegalStateException("the trust store " + truststore + " holds no certificate"
                            + (password == null ? " that can be read without its password" : ""));
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the trust store " + truststore + " cannot be read: it must be a PEM file of "
                    + "certificates or a PKCS12 or JKS trust store" + (truststorePassword == null ? "" : " that opens with its password")
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
