package io.facestream.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) running in this JVM, on
 * loopback ports of its own, with its data in a temporary folder removed on close.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private final Path dataDir;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Map<String, String> listenerAddresses;

    private EmbeddedKafkaBroker(Path dataDir, KafkaRaftServer server, String bootstrapServers,
                                Map<String, String> listenerAddresses) {
        this.dataDir = dataDir;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.listenerAddresses = listenerAddresses;
    }

    /** Formats storage and starts the broker; {@code overrides} are extra broker properties. */
    public static EmbeddedKafkaBroker start(Map<String, String> overrides) throws IOException {
        return start(overrides, Map.of());
    }

    /**
     * As {@link #start(Map)}, with more listeners besides the PLAINTEXT one: name to security protocol
     * (e.g. SECURED to SASL_SSL), each on a port of its own, configured by {@code overrides}
     * ({@code listener.name.<name>.*}); {@link #bootstrapServers(String)} gives their addresses.
     */
    public static EmbeddedKafkaBroker start(Map<String, String> overrides, Map<String, String> moreListeners) throws IOException {
        Path dataDir = Files.createTempDirectory("facestream-kafka-");
        int brokerPort = freePort();
        int controllerPort = freePort();
        StringBuilder listeners = new StringBuilder("PLAINTEXT://127.0.0.1:" + brokerPort);
        StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        Map<String, String> listenerAddresses = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> listener : moreListeners.entrySet()) {
            String address = "127.0.0.1:" + freePort();
            listenerAddresses.put(listener.getKey(), address);
            listeners.append(',').append(listener.getKey()).append("://").append(address);
            protocols.append(',').append(listener.getKey()).append(':').append(listener.getValue());
        }
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", listeners + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", listeners.toString());
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", protocols.toString());
        props.put("log.dirs", dataDir.resolve("log").toString());
        // One node: every internal topic with one replica, or transactions and groups never start.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "false");
        props.putAll(overrides);

        Path config = dataDir.resolve("server.properties");
        try (Writer writer = Files.newBufferedWriter(config)) {
            props.store(writer, "FaceStream embedded broker");
        }
        ByteArrayOutputStream formatOutput = new ByteArrayOutputStream();
        int formatted = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", config.toString(), "--ignore-formatted"}, new PrintStream(formatOutput, true, StandardCharsets.UTF_8));
        if (formatted != 0) {
            throw new IOException("Formatting the embedded broker's storage failed: " + formatOutput);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        return new EmbeddedKafkaBroker(dataDir, server, "127.0.0.1:" + brokerPort, Map.copyOf(listenerAddresses));
    }

    public static EmbeddedKafkaBroker start() throws IOException {
        return start(Map.of());
    }

    /** The PLAINTEXT listener's address. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The address of a listener given to {@link #start(Map, Map)}. */
    public String bootstrapServers(String listener) {
        String address = listenerAddresses.get(listener);
        if (address == null) {
            throw new IllegalArgumentException("no listener " + listener + "; this broker has " + listenerAddresses.keySet());
        }
        return address;
    }

    /** Creates the topics (if missing) with the given partition count. */
    public void createTopics(int partitions, String... topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String topic : topics) {
                newTopics.add(new NewTopic(topic, partitions, (short) 1));
            }
            for (var future : admin.createTopics(newTopics).values().values()) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Could not create topics: " + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
