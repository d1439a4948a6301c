package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.detect.TestImages;
import io.facestream.job.KafkaFlinkTestBase;
import io.facestream.kafka.EmbeddedKafkaBroker;
import io.facestream.registry.TestCertificates;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job and the topics tool on a broker that takes only SCRAM-SHA-512 over TLS and authorizes
 * with ACLs ({@code StandardAuthorizer}, nothing allowed without an ACL): the job's user has exactly
 * the ACLs deploy/README.md lists. Refused credentials, an untrusted certificate and a missing ACL
 * each stop {@code job} with one message naming the cause and the fix; the password is in no log
 * line and no message of any of these runs.
 */
@Timeout(240)
class SecuredKafkaIT extends KafkaFlinkTestBase {

    private static final String SECURED = "SECURED";
    private static final String JOB_USER = "facestream-job";
    private static final String ADMIN_USER = "facestream-admin";
    /** Unique per run, so that finding it anywhere means it leaked from this run. */
    private static final String JOB_PASSWORD = "job-pw-" + UUID.randomUUID();
    private static final String ADMIN_PASSWORD = "admin-pw-" + UUID.randomUUID();

    @TempDir
    static Path tmp;

    private static TestCertificates certificates;
    private static EmbeddedKafkaBroker broker;
    private static StringWriter logs;
    private static WriterAppender capture;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        captureLogs();
        certificates = TestCertificates.make(Files.createDirectories(tmp.resolve("broker-certificates")));
        String listener = "listener.name." + SECURED.toLowerCase() + ".";
        broker = EmbeddedKafkaBroker.start(Map.ofEntries(
                Map.entry("sasl.enabled.mechanisms", "SCRAM-SHA-512"),
                Map.entry(listener + "sasl.enabled.mechanisms", "SCRAM-SHA-512"),
                Map.entry(listener + "scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"),
                Map.entry(listener + "ssl.keystore.location", certificates.keyStore().toString()),
                Map.entry(listener + "ssl.keystore.type", "PKCS12"),
                Map.entry(listener + "ssl.keystore.password", TestCertificates.PASSWORD),
                Map.entry(listener + "ssl.key.password", TestCertificates.PASSWORD),
                Map.entry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
                Map.entry("allow.everyone.if.no.acl.found", "false"),
                // The PLAINTEXT listener (and the controller's) is the broker's and this test's own, as ANONYMOUS.
                Map.entry("super.users", "User:ANONYMOUS;User:" + ADMIN_USER)),
                Map.of(SECURED, "SASL_SSL"));
        try (Admin admin = plaintextAdmin()) {
            admin.alterUserScramCredentials(List.of(
                    new UserScramCredentialUpsertion(JOB_USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), JOB_PASSWORD),
                    new UserScramCredentialUpsertion(ADMIN_USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                            ADMIN_PASSWORD))).all().get();
            waitFor(() -> admin.describeUserScramCredentials(List.of(JOB_USER, ADMIN_USER)).all().get().size() == 2,
                    "the SCRAM users");
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        stopCapturingLogs();
    }

    @Test
    void theJobRunsWithTheAclsDeployReadmeListsAndRefusalsAreNamedWithoutTheSecret() throws Exception {
        Topics ok = new Topics("ok");
        // topics, over SASL_SSL as an administrator, with --kafka-config
        String created = CliRun.ok("topics", "--bootstrap-servers", securedAddress(), "--kafka-config",
                clientConfig("admin.properties", ADMIN_USER, ADMIN_PASSWORD, certificates.trustStore()).toString(),
                "--input-topic", ok.input, "--output-topic", ok.output, "--dead-letter-topic", ok.deadLetters, "--partitions", "2");
        assertThat(created).contains(ok.input + " created", ok.output + " created", ok.deadLetters + " created");
        grantJobAcls(ok, true);

        List<String> sent = List.of("Chris.jpeg", "Bryan.png", "coffee.png");
        sendImages(ok.input, sent, List.of("aborted-Luciano.png"));

        Path jobConfig = clientConfig("job.properties", JOB_USER, JOB_PASSWORD, certificates.trustStore());
        CliRun run = CliRun.of(ok.jobArgs(jobConfig));
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        Set<String> answered = new HashSet<>(keys(ok.output));
        answered.addAll(keys(ok.deadLetters));
        assertThat(answered).as("one result or dead letter per committed image, none for the aborted one")
                .containsExactlyInAnyOrderElementsOf(sent);
        assertThat(keys(ok.output).size() + keys(ok.deadLetters).size()).isEqualTo(sent.size());

        List<String> messages = new ArrayList<>();
        Path wrongPassword = clientConfig("wrong-password.properties", JOB_USER, "not-" + JOB_PASSWORD, certificates.trustStore());
        messages.add(refused(ok.jobArgs(wrongPassword), "refused the credentials of User:" + JOB_USER,
                "Check the user name and password in sasl.jaas.config of --kafka-config " + wrongPassword));
        CliRun topicsRefused = CliRun.of("topics", "--bootstrap-servers", securedAddress(), "--kafka-config", wrongPassword.toString(),
                "--input-topic", ok.input, "--output-topic", ok.output, "--dead-letter-topic", ok.deadLetters);
        assertThat(topicsRefused.code()).as(topicsRefused.err()).isEqualTo(2);
        assertThat(topicsRefused.err()).contains("refused the credentials of User:" + JOB_USER).doesNotContain("\tat ");
        messages.add(topicsRefused.out() + topicsRefused.err());

        TestCertificates stranger = TestCertificates.make(Files.createDirectories(tmp.resolve("other-certificates")));
        Path untrusted = clientConfig("untrusted.properties", JOB_USER, JOB_PASSWORD, stranger.trustStore());
        messages.add(refused(ok.jobArgs(untrusted), "The TLS handshake with Kafka at --bootstrap-servers " + securedAddress()
                + " failed", "give --kafka-config " + untrusted + " the certificate of the CA"));

        Topics noDeadLetters = new Topics("no-dlq-acl");
        broker.createTopics(1, noDeadLetters.input, noDeadLetters.output, noDeadLetters.deadLetters);
        grantJobAcls(noDeadLetters, false);
        messages.add(refused(noDeadLetters.jobArgs(jobConfig), "does not allow User:" + JOB_USER + " what the job needs: WRITE on topic "
                + noDeadLetters.deadLetters + ".", "kafka-acls.sh --bootstrap-server " + securedAddress()
                + " --command-config ADMIN.properties --add --allow-principal User:" + JOB_USER + " --operation WRITE --topic "
                + noDeadLetters.deadLetters));

        Topics noGroupNorTransactions = new Topics("no-group-acl");
        broker.createTopics(1, noGroupNorTransactions.input, noGroupNorTransactions.output, noGroupNorTransactions.deadLetters);
        grantJobAcls(noGroupNorTransactions, true, false);
        messages.add(refused(noGroupNorTransactions.jobArgs(jobConfig), "what the job needs: READ on group "
                + noGroupNorTransactions.group + ", WRITE on transactional id " + noGroupNorTransactions.transactionalIdPrefix + "*.",
                "--operation WRITE --transactional-id " + noGroupNorTransactions.transactionalIdPrefix
                        + " --resource-pattern-type prefixed"));
        messages.forEach(System.out::println);

        String everything = logs.toString() + String.join("\n", messages) + run.out() + run.err();
        // Kafka's clients log their settings at INFO, secrets hidden: the capture holds the runs' client logs.
        assertThat(logs.toString()).as("the captured logs").contains("sasl.jaas.config = [hidden]");
        for (String secret : List.of(JOB_PASSWORD, ADMIN_PASSWORD)) {
            assertThat(everything.split("\n")).as("lines of the logs and messages holding a password").noneMatch(line -> line.contains(secret));
        }
    }

    @Test
    void localRunsOnTheSecuredClusterInTopicsOfItsOwnAndRemovesThem() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("local-images"));
        for (String name : List.of("Chris.jpeg", "Bryan.png")) {
            Files.copy(io.facestream.detect.GoldenDetections.testdata().resolve(name), images.resolve(name));
        }
        Path adminConfig = clientConfig("local-admin.properties", ADMIN_USER, ADMIN_PASSWORD, certificates.trustStore());
        Set<String> before;
        try (Admin admin = plaintextAdmin()) {
            before = admin.listTopics().names().get();
        }

        // In a JVM of its own, as a user runs it: local makes a Flink cluster of its own, which this test's
        // MiniCluster context forbids in this JVM.
        Path jar = Path.of("target", "facestream.jar").toAbsolutePath();
        Process local = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "local", "--bootstrap-servers", securedAddress(), "--kafka-config", adminConfig.toString(),
                "--images", images.toString(), "--out", tmp.resolve("local-out").toString(), "--annotate", "none")
                .redirectErrorStream(true).start();
        String said = new String(local.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(local.waitFor()).as(said).isZero();
        assertThat(said).contains("Using the Kafka cluster at " + securedAddress())
                .contains("Summary: 2 image(s) sent, 2 result(s)").contains(" 0 missing").doesNotContain(ADMIN_PASSWORD);
        assertThat(Files.readAllLines(tmp.resolve("local-out").resolve("detections.jsonl"))).hasSize(2);
        try (Admin admin = plaintextAdmin()) {
            waitFor(() -> admin.listTopics().names().get().equals(before), "local's topics deleted");
        }

        CliRun plaintextFlagsOnly = CliRun.of("local", "--kafka-config", adminConfig.toString(), "--images", images.toString());
        assertThat(plaintextFlagsOnly.code()).isEqualTo(2);
        assertThat(plaintextFlagsOnly.err()).contains("--kafka-config " + adminConfig + ": is for the brokers of --bootstrap-servers");
    }

    /** Runs {@code job} expecting exit code 2 and one message with {@code cause} and {@code fix}, no stack trace; returns it. */
    private static String refused(String[] args, String cause, String fix) {
        CliRun run = CliRun.of(args);
        String said = run.out() + run.err();
        assertThat(run.code()).as(said).isEqualTo(2);
        assertThat(said).contains(cause, fix).doesNotContain("\tat ", "Exception in thread", "Caused by");
        assertThat(said.split("facestream job: ", -1)).as("one message: " + said).hasSize(2);
        return said;
    }

    /** The job's topics, group and transactional-id prefix, unique per test. */
    private static final class Topics {
        final String input;
        final String output;
        final String deadLetters;
        final String group;
        final String transactionalIdPrefix;

        Topics(String name) {
            String unique = name + "-" + UUID.randomUUID().toString().substring(0, 8);
            input = unique + ".images";
            output = unique + ".detections";
            deadLetters = unique + ".dead-letters";
            group = unique + "-group";
            transactionalIdPrefix = unique + "-tx";
        }

        String[] jobArgs(Path kafkaConfig) {
            return new String[] {"job", "--bootstrap-servers", securedAddress(), "--kafka-config", kafkaConfig.toString(),
                    "--input-topic", input, "--output-topic", output, "--dead-letter-topic", deadLetters, "--group-id", group,
                    "--transactional-id-prefix", transactionalIdPrefix, "--bounded", "--checkpoint-interval", "1s",
                    "--parallelism", "2"};
        }
    }

    /** The ACLs of deploy/README.md, and nothing else; without {@code deadLetters} no WRITE on the dead-letter topic. */
    private static void grantJobAcls(Topics topics, boolean deadLetters) throws Exception {
        grantJobAcls(topics, deadLetters, true);
    }

    /** As {@link #grantJobAcls(Topics, boolean)}; without {@code groupAndTransactions} none on the group and transactional ids. */
    private static void grantJobAcls(Topics topics, boolean deadLetters, boolean groupAndTransactions) throws Exception {
        List<AclBinding> acls = new ArrayList<>(List.of(
                allow(ResourceType.TOPIC, topics.input, PatternType.LITERAL, AclOperation.READ),
                allow(ResourceType.TOPIC, topics.output, PatternType.LITERAL, AclOperation.WRITE)));
        if (groupAndTransactions) {
            acls.add(allow(ResourceType.GROUP, topics.group, PatternType.LITERAL, AclOperation.READ));
            acls.add(allow(ResourceType.TRANSACTIONAL_ID, topics.transactionalIdPrefix, PatternType.PREFIXED, AclOperation.WRITE));
        }
        if (deadLetters) {
            acls.add(allow(ResourceType.TOPIC, topics.deadLetters, PatternType.LITERAL, AclOperation.WRITE));
        }
        try (Admin admin = plaintextAdmin()) {
            admin.createAcls(acls).all().get();
            // The broker authorizes from its copy of the metadata, which follows the controller's a moment later.
            waitFor(() -> admin.describeAcls(AclBindingFilter.ANY).values().get().containsAll(acls), "the ACLs");
        }
    }

    private static AclBinding allow(ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + JOB_USER, "*", operation, AclPermissionType.ALLOW));
    }

    /** Sends the images committed, and {@code aborted} in a transaction that is aborted. */
    private static void sendImages(String topic, List<String> committed, List<String> aborted) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "secured-it-" + UUID.randomUUID(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (String name : aborted) {
                producer.send(image(topic, name, name.substring("aborted-".length()))).get();
            }
            producer.abortTransaction();
            producer.beginTransaction();
            for (String name : committed) {
                producer.send(image(topic, name, name)).get();
            }
            producer.commitTransaction();
        }
    }

    private static ProducerRecord<byte[], byte[]> image(String topic, String id, String photo) throws IOException {
        return avroRecord(topic, id, TestImages.photo(photo));
    }

    /** The keys (event ids) committed in {@code topic}, read as the super user. */
    private static List<String> keys(String topic) {
        return consumeCommitted(broker.bootstrapServers(), topic).stream()
                .map(record -> new String(record.key(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    private static Path clientConfig(String name, String user, String password, Path trustStore) throws IOException {
        return Files.writeString(tmp.resolve(name), String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                        + "\" password=\"" + password + "\";",
                "ssl.truststore.location=" + trustStore,
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.password=" + TestCertificates.PASSWORD, ""));
    }

    private static String securedAddress() {
        return broker.bootstrapServers(SECURED);
    }

    private static Admin plaintextAdmin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @FunctionalInterface
    private interface Condition {
        boolean met() throws Exception;
    }

    private static void waitFor(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.met()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the broker did not have " + what + " within 20 s");
            }
            Thread.sleep(100);
        }
    }

    /** Every log line of this class's runs (the broker's, the job's, the clients'), at INFO and above. */
    private static void captureLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        logs = new StringWriter();
        capture = WriterAppender.newBuilder().setName("secured-kafka-it").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c - %m%n%throwable").build()).build();
        capture.start();
        config.addAppender(capture);
        // Whatever configuration is in place (the tools' keeps Kafka's loggers to errors): every logger at INFO, into the capture.
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.getAppenders().keySet().forEach(logger::removeAppender);
            logger.setAdditive(true);
            logger.setLevel(Level.INFO);
        }
        LoggerConfig root = config.getRootLogger();
        root.getAppenders().keySet().forEach(root::removeAppender);
        root.addAppender(capture, Level.INFO, null);
        root.setLevel(Level.INFO);
        context.updateLoggers();
    }

    private static void stopCapturingLogs() {
        if (capture != null) {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            context.reconfigure();
            capture.stop();
        }
    }
}
