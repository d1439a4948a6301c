package io.facestream.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * What a Kafka client's failure to get in means and what to change, as one message for a person:
 * refused credentials, an untrusted certificate, missing ACLs. Messages never hold a secret of the
 * client properties (passwords, sasl.jaas.config's password), even where Kafka's own text would.
 */
public final class KafkaAccessProblem {

    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern JAAS_SECRET = Pattern.compile("(?:password|token|secret)\\s*=\\s*\"([^\"]*)\"",
            Pattern.CASE_INSENSITIVE);

    /** One permission the client lacks: operation, resource type as kafka-acls.sh names it, resource name, prefixed or not. */
    public record Grant(String operation, String resourceType, String resource, boolean prefixed) {
        String describe() {
            return operation + " on " + resourceType.replace("-", " ") + " " + resource + (prefixed ? "*" : "");
        }

        String command(String bootstrapServers, String principal) {
            return "kafka-acls.sh --bootstrap-server " + bootstrapServers + " --command-config ADMIN.properties --add "
                    + "--allow-principal " + principal + " --operation " + operation + " --" + resourceType + " " + resource
                    + (prefixed ? " --resource-pattern-type prefixed" : "");
        }
    }

    private final String bootstrapServers;
    private final String kafkaConfigOrNull;
    private final Map<String, Object> clientConfig;

    /**
     * @param kafkaConfigOrNull the --kafka-config file the client's settings came from, or null
     * @param clientConfig the client's settings, whose secrets are kept out of every message
     */
    public KafkaAccessProblem(String bootstrapServers, String kafkaConfigOrNull, Map<String, Object> clientConfig) {
        this.bootstrapServers = bootstrapServers;
        this.kafkaConfigOrNull = kafkaConfigOrNull;
        this.clientConfig = clientConfig;
    }

    /** {@code failure} as an IllegalArgumentException with the message of {@link #authentication}, when it is one. */
    public void throwIfAuthentication(Throwable failure) {
        String message = authentication(failure);
        if (message != null) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The message for {@code failure} when it is an authentication failure (SASL or TLS); null otherwise. */
    public String authentication(Throwable failure) {
        AuthenticationException refused = find(failure, AuthenticationException.class);
        if (refused == null) {
            return null;
        }
        String where = "Kafka at --bootstrap-servers " + bootstrapServers;
        String file = kafkaConfigOrNull == null ? "the --kafka-config file (Kafka client properties)" : "--kafka-config " + kafkaConfigOrNull;
        if (refused instanceof SslAuthenticationException) {
            return hideSecrets("The TLS handshake with " + where + " failed (" + rootMessage(refused) + "): the brokers' "
                    + "certificate is not one this client trusts: give " + file + " the certificate of the CA that signed it "
                    + "(or the brokers' own) as ssl.truststore.location=FILE (PKCS12 or JKS, with ssl.truststore.type and "
                    + "ssl.truststore.password) or ssl.truststore.type=PEM, and check that the address is a name or IP in the "
                    + "certificate.");
        }
        if (refused instanceof SaslAuthenticationException) {
            return hideSecrets(where + " refused the credentials of " + principal() + " (" + rootMessage(refused)
                    + "). Check the user name and password in sasl.jaas.config of " + file + " and sasl.mechanism; the user must "
                    + "exist on the brokers with that mechanism (kafka-configs.sh --alter --entity-type users --entity-name USER "
                    + "--add-config 'SCRAM-SHA-512=[password=...]').");
        }
        return hideSecrets(where + " did not let this client in: " + rootMessage(refused) + ". Check the security settings "
                + "(security.protocol, sasl.*, ssl.*) in " + file + " against the brokers' listener.");
    }

    /** The message for permissions the brokers' ACLs do not give, each with the kafka-acls.sh command that grants it. */
    public String missingAcls(List<Grant> missing) {
        List<String> lines = new ArrayList<>();
        lines.add("Kafka at --bootstrap-servers " + bootstrapServers + " does not allow " + principal() + " what the job needs: "
                + String.join(", ", missing.stream().map(Grant::describe).toList())
                + ". Grant it (deploy/README.md lists every ACL the job needs):");
        missing.forEach(grant -> lines.add("  " + grant.command(bootstrapServers, principal())));
        return hideSecrets(String.join("\n", lines));
    }

    /** The principal the client authenticates as, as kafka-acls.sh names it, where the settings say. */
    public String principal() {
        Object jaas = clientConfig.get("sasl.jaas.config");
        if (jaas != null) {
            Matcher user = JAAS_USER.matcher(jaas.toString());
            if (user.find()) {
                return "User:" + user.group(1);
            }
        }
        return "User:<the job's user>";
    }

    /** {@code text} with every secret of the client's settings replaced. */
    public String hideSecrets(String text) {
        String hidden = text;
        for (Map.Entry<String, Object> setting : clientConfig.entrySet()) {
            String value = String.valueOf(setting.getValue());
            if (setting.getKey().equals("sasl.jaas.config")) {
                Matcher secret = JAAS_SECRET.matcher(value);
                while (secret.find()) {
                    hidden = hide(hidden, secret.group(1));
                }
                hidden = hide(hidden, value);
            } else if (setting.getKey().contains("password") || setting.getKey().contains("secret")
                    || setting.getKey().endsWith(".key")) {
                hidden = hide(hidden, value);
            }
        }
        return hidden;
    }

    private static String hide(String text, String secret) {
        return secret.isEmpty() ? text : text.replace(secret, "(not shown)");
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }
}
