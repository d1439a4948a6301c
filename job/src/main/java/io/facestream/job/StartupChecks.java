package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.FaceTrack;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceDetector;
import io.facestream.kafka.KafkaAccessProblem;
import io.facestream.registry.RegistryAuth;
import io.facestream.registry.RegistryConnection;
import io.facestream.registry.SchemaRegistryClient;
import io.facestream.registry.SchemaRegistryException;
import java.io.InterruptedIOException;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Checks made before a job is submitted, so that a wrong model or Kafka setting stops it with
 * one message naming the problem and the fix instead of failing inside running tasks.
 */
public final class StartupChecks {

    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(15);

    private StartupChecks() {}

    /** Loads the model and runs it once on a blank image: the file, its layout and description must fit. */
    public static void checkModel(DetectorSettings settings) {
        try (FaceDetector detector = FaceDetector.load(settings)) {
            detector.selfTest();
        } catch (Exception e) {
            throw unusableModel(settings, e);
        }
    }

    /**
     * Why the model of {@code settings} could not be loaded or run, as one line naming the file, the
     * problem and the fix: what every command that loads a model says, rather than a stack trace.
     */
    public static IllegalArgumentException unusableModel(DetectorSettings settings, Throwable failure) {
        String model = settings.modelPath() == null ? "the default model" : "--model " + settings.modelPath();
        return new IllegalArgumentException(model + " (model type " + settings.model().name + ") cannot be used: "
                + modelProblem(failure) + ". Give the path of a RetinaFace .onnx export and its --model-type or --model-config.",
                failure);
    }

    private static String modelProblem(Throwable failure) {
        // The innermost message names the problem itself; the outer ones only say that loading failed.
        Throwable cause = failure;
        for (Throwable inner = failure; inner != null; inner = inner.getCause() == inner ? null : inner.getCause()) {
            if (inner.getMessage() != null && !inner.getMessage().isBlank()) {
                cause = inner;
            }
        }
        String message = String.valueOf(cause.getMessage()).strip();
        String problem;
        if (message.contains("ORT_INVALID_PROTOBUF")) {
            // ONNX Runtime's words for a file that is not a whole ONNX protobuf: a truncated copy or not a model at all.
            problem = "the file is not an ONNX model, or a truncated one (ONNX Runtime: "
                    + message.substring(message.indexOf("message:") + "message:".length()).strip() + ")";
        } else if (cause instanceof FileSystemException) {
            problem = "the file cannot be read (" + cause.getClass().getSimpleName() + ": " + message + ")";
        } else {
            problem = message;
        }
        return problem.replaceAll("\\s*\\R\\s*", "; ").replaceAll("[.;]+$", "").replace(".)", ")");
    }

    /**
     * The brokers answer and let the job in, the input, output, dead-letter and (when set) tracks, crops and
     * anonymized topics exist, and the brokers' ACLs give the job's principal what it needs: READ on the
     * input topic and its consumer group, WRITE on the topics it writes and (exactly-once) on its
     * transactional ids.
     */
    public static void checkKafka(KafkaSettings kafka) {
        checkKafka(kafka, KAFKA_TIMEOUT);
    }

    static void checkKafka(KafkaSettings kafka, Duration timeout) {
        Map<String, Object> config = kafka.adminConfig();
        KafkaAccessProblem problem = new KafkaAccessProblem(kafka.bootstrapServers(), kafka.get(KafkaOptions.KAFKA_CONFIG), config);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(config)) {
            List<String> topics = new ArrayList<>(List.of(kafka.inputTopic(), kafka.outputTopic(), kafka.deadLetterTopic()));
            kafka.tracksTopic().ifPresent(topics::add);
            kafka.cropsTopic().ifPresent(topics::add);
            kafka.anonymizedTopic().ifPresent(topics::add);
            var described = admin.describeTopics(topics, new DescribeTopicsOptions().includeAuthorizedOperations(true))
                    .topicNameValues();
            List<String> missing = new ArrayList<>();
            List<KafkaAccessProblem.Grant> refused = new ArrayList<>();
            for (String topic : topics) {
                AclOperation needed = topic.equals(kafka.inputTopic()) ? AclOperation.READ : AclOperation.WRITE;
                KafkaAccessProblem.Grant grant = new KafkaAccessProblem.Grant(needed.name(), "topic", topic, false);
                try {
                    Set<AclOperation> allowed = described.get(topic).get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .authorizedOperations();
                    if (allowed != null && !allowed.contains(needed)) {
                        refused.add(grant);
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        missing.add(topic);
                    } else if (e.getCause() instanceof TopicAuthorizationException) {
                        refused.add(grant);
                    } else {
                        throw unanswered(kafka, timeout, problem, e);
                    }
                } catch (TimeoutException e) {
                    throw unanswered(kafka, timeout, problem, e);
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("Topic(s) " + missing + " do not exist on " + kafka.bootstrapServers()
                        + ". Create them (kafka-topics.sh --create --topic NAME --partitions N), or fix --input-topic, "
                        + "--output-topic, --dead-letter-topic, --tracks-topic, --crops-topic and --anonymized-topic.");
            }
            checkGroup(admin, kafka, timeout, refused);
            if (kafka.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
                checkTransactionalIds(admin, kafka, timeout, refused);
            }
            if (!refused.isEmpty()) {
                throw new IllegalArgumentException(problem.missingAcls(refused));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The source commits its offsets to its consumer group: READ on the group. */
    private static void checkGroup(Admin admin, KafkaSettings kafka, Duration timeout, List<KafkaAccessProblem.Grant> refused)
            throws InterruptedException {
        String group = kafka.get(KafkaOptions.GROUP_ID);
        KafkaAccessProblem.Grant grant = new KafkaAccessProblem.Grant("READ", "group", group, false);
        try {
            Set<AclOperation> allowed = admin.describeConsumerGroups(List.of(group),
                            new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true))
                    .describedGroups().get(group).get(timeout.toMillis(), TimeUnit.MILLISECONDS).authorizedOperations();
            if (allowed != null && !allowed.contains(AclOperation.READ)) {
                refused.add(grant);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupAuthorizationException) {
                refused.add(grant);
            }
            // Otherwise (a group not there yet, say) the source finds out itself.
        } catch (TimeoutException e) {
            // The topics answered: the source will say what the group's coordinator does not.
        }
    }

    /**
     * Exactly-once producers write in transactions under ids that start with the job's prefix: WRITE on those ids.
     * Describing one that was never used answers "not found" to a principal allowed to, "not authorized" to others.
     */
    private static void checkTransactionalIds(Admin admin, KafkaSettings kafka, Duration timeout,
                                              List<KafkaAccessProblem.Grant> refused) throws InterruptedException {
        String prefix = kafka.get(KafkaOptions.TRANSACTIONAL_ID_PREFIX);
        String probe = prefix + "-detections-0-0";
        try {
            admin.describeTransactions(List.of(probe)).description(probe).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TransactionalIdAuthorizationException) {
                refused.add(new KafkaAccessProblem.Grant("WRITE", "transactional-id", prefix, true));
            }
        } catch (TimeoutException e) {
            // The topics answered: the sinks will say what the transaction coordinator does not.
        }
    }

    private static IllegalArgumentException unanswered(KafkaSettings kafka, Duration timeout, KafkaAccessProblem problem,
                                                      Exception e) {
        String refused = problem.authentication(e);
        if (refused != null) {
            return new IllegalArgumentException(refused);
        }
        return new IllegalArgumentException(problem.hideSecrets("Kafka at --bootstrap-servers " + kafka.bootstrapServers()
                + " did not answer within " + timeout.toSeconds() + " s (" + rootMessage(e)
                + "). Check the address and that the brokers are running and reachable from here"
                + (kafka.get(KafkaOptions.KAFKA_CONFIG) == null ? "; a secured listener needs --kafka-config FILE." : ".")));
    }

    /**
     * With {@code --schema-registry}: registers the result, dead-letter, track, crop and (Avro input) image event schemas under
     * {@code <topic>-value} and returns the settings that write values framed with their ids.
     * Without it: {@code kafka} as it is.
     */
    public static KafkaSettings registerSchemas(KafkaSettings kafka) {
        Optional<RegistryConnection> configured = kafka.schemaRegistry();
        if (configured.isEmpty()) {
            return kafka;
        }
        RegistryConnection connection = configured.get();
        SchemaRegistryClient registry;
        try {
            registry = new SchemaRegistryClient(connection, SchemaRegistryClient.DEFAULT_TIMEOUT);
        } catch (RegistryConnection.UnusableSetting e) {
            throw new IllegalArgumentException("Cannot connect to the schema registry at --schema-registry " + connection.url()
                    + ": " + e.getMessage() + ". " + (e.part() == RegistryConnection.UnusableSetting.Part.TRUSTSTORE
                            ? "Give --schema-registry-truststore a PEM file of the certificates to trust, or a PKCS12 or JKS "
                                    + "trust store with --schema-registry-truststore-password file:PATH or env:NAME."
                            : "--schema-registry-credentials names where the secret is (file:PATH or env:NAME): write USER:PASSWORD "
                                    + "(basic) or the token (bearer) there, on the client and every TaskManager."), e);
        }
        int resultSchemaId = register(registry, connection, kafka.outputTopic(), FaceDetectionResult.getClassSchema());
        int deadLetterSchemaId = register(registry, connection, kafka.deadLetterTopic(), DeadLetter.getClassSchema());
        int trackSchemaId = kafka.tracksTopic().map(topic -> register(registry, connection, topic, FaceTrack.getClassSchema())).orElse(-1);
        int cropSchemaId = kafka.cropsTopic().map(topic -> register(registry, connection, topic, FaceCrop.getClassSchema())).orElse(-1);
        // Raw anonymized images are the image bytes themselves: no schema.
        int anonymizedSchemaId = kafka.inputFormat() == InputFormat.AVRO
                ? kafka.anonymizedTopic().map(topic -> register(registry, connection, topic, ImageEvent.getClassSchema())).orElse(-1) : -1;
        return kafka.withRegisteredSchemas(new KafkaSettings.RegisteredSchemas(resultSchemaId, deadLetterSchemaId, trackSchemaId,
                cropSchemaId, anonymizedSchemaId));
    }

    private static int register(SchemaRegistryClient registry, RegistryConnection connection, String topic, Schema schema) {
        String subject = SchemaRegistryClient.valueSubject(topic);
        try {
            return registry.register(subject, schema);
        } catch (SchemaRegistryException e) {
            String registryName = "The schema registry at --schema-registry " + registry.baseUrl();
            if (e.isTlsFailure()) {
                throw new IllegalArgumentException(registryName + " " + e.getMessage() + ". The TLS handshake failed: "
                        + (connection.truststore() == null
                                ? "if its certificate is self-signed or from a private CA, give that certificate (PEM) or a trust "
                                        + "store holding it with --schema-registry-truststore FILE."
                                : "--schema-registry-truststore " + connection.truststore() + " does not vouch for the registry's "
                                        + "certificate: give the certificate of the CA that signed it (or the registry's own)."), e);
            }
            if (e.isUnreachable()) {
                throw new IllegalArgumentException(registryName + " " + e.getMessage() + ". Check the URL (the root of the "
                        + "registry's Confluent-compatible API: http://HOST:8081 for Confluent's, http://HOST:8080/apis/ccompat/v6 "
                        + "for Apicurio's) and that the registry is running and reachable from here.", e);
            }
            throw new IllegalArgumentException(registryName + " refused FaceStream's " + schema.getName()
                    + " schema for subject " + subject + ": it " + e.getMessage() + ". " + refusalHint(e.status(), subject, connection), e);
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String refusalHint(int status, String subject, RegistryConnection connection) {
        if ((status == 401 || status == 403) && connection.auth() != RegistryAuth.NONE) {
            String credentials = "the " + connection.auth().name().toLowerCase(Locale.ROOT) + " credentials in "
                    + connection.credentials();
            return status == 401
                    ? "It did not accept " + credentials + ": check the user and password (basic) or that the token is "
                            + "valid and has not expired (bearer)."
                    : "It knows " + credentials + " but does not let them register schemas under " + subject
                            + ": grant that user write access to the subject, or register the schemas beforehand.";
        }
        return switch (status) {
            case 409 -> "The subject's compatibility rule rejects it. FaceStream's schemas only change compatibly "
                    + "(schemas/README.md), so " + subject + " probably holds another record's schemas: give the job a "
                    + "topic of its own, or change the subject's rule (PUT /config/" + subject + ").";
            case 401, 403 -> "The registry wants credentials: set --schema-registry-auth basic (or bearer) and "
                    + "--schema-registry-credentials file:PATH or env:NAME, where USER:PASSWORD (or the token) is kept.";
            case 404 -> "Is the URL the root of the registry's Confluent-compatible API (Apicurio: .../apis/ccompat/v6)?";
            default -> "Check the registry's log.";
        };
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
