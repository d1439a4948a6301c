package io.facestream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.facestream.cli.FaceStreamCli;
import io.facestream.detect.ModelFile;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * The deployment files in deploy/ against the built jar and the job's own command line: no Docker
 * engine or Kubernetes runs here, so these checks read the Dockerfile and the operator manifests and
 * hold them to what the jar, Flink's configuration options and picocli accept.
 */
class DeploymentManifestsIT {

    private static final String OPERATOR_API = "flink.apache.org/v1beta1";
    private static final String REPORTER_PREFIX = "metrics.reporter.";
    /**
     * The classes that hold per-JVM native state (native libraries, ONNX Runtime's one environment,
     * which DJL's engine creates), which therefore have to load parent-first from lib/.
     */
    private static final List<Class<?>> PARENT_FIRST = List.of(nu.pattern.OpenCV.class, org.opencv.core.Core.class,
            ai.onnxruntime.OrtEnvironment.class, ai.djl.engine.Engine.class, ai.djl.onnxruntime.engine.OrtEngine.class);

    private static Path root;
    private static Path jar;
    private static List<Map<String, Object>> application;
    private static List<Map<String, Object>> session;
    private static List<Instruction> dockerfile;
    private static String dockerfileText;

    @BeforeAll
    static void read() throws IOException {
        root = Path.of(System.getProperty("facestream.testdata", "../testdata")).toAbsolutePath().normalize().getParent();
        jar = root.resolve("job/target/facestream.jar");
        assertThat(jar).as("the job jar (mvn package builds it before this test)").isRegularFile();
        application = yamlDocuments(root.resolve("deploy/kubernetes/facestream-application.yaml"));
        session = yamlDocuments(root.resolve("deploy/kubernetes/facestream-session.yaml"));
        dockerfileText = Files.readString(root.resolve("deploy/Dockerfile"));
        dockerfile = Instruction.parse(dockerfileText);
    }

    // ---- the manifests ----

    @Test
    void theApplicationManifestIsOneFlinkDeploymentWithAJob() {
        assertThat(application).hasSize(1);
        Map<String, Object> deployment = application.get(0);
        assertThat(deployment).containsEntry("apiVersion", OPERATOR_API).containsEntry("kind", "FlinkDeployment");
        assertThat(map(deployment, "spec")).containsKey("job");
    }

    @Test
    void theSessionManifestIsASessionClusterAndAJobSubmittedToIt() {
        assertThat(session).extracting(d -> d.get("apiVersion")).containsOnly(OPERATOR_API);
        Map<String, Object> job = only(session, "FlinkSessionJob");
        Map<String, Object> cluster = only(session, "FlinkDeployment");
        assertThat(map(cluster, "spec")).as("a session cluster has no job of its own").doesNotContainKey("job");
        assertThat(map(job, "spec").get("deploymentName")).isEqualTo(map(cluster, "metadata").get("name"));
    }

    @Test
    void everyClusterRunsTheFlinkVersionTheJobIsBuiltAgainst() {
        String[] version = flinkVersion().split("\\.");
        for (Map<String, Object> deployment : deployments()) {
            assertThat(map(deployment, "spec").get("flinkVersion")).isEqualTo("v" + version[0] + "_" + version[1]);
        }
        assertThat(deployments()).extracting(d -> map(d, "spec").get("image")).as("one image for all").containsOnly(
                map(deployments().get(0), "spec").get("image"));
    }

    @Test
    void everyJobStartsTheJarsEntryClassWithArgumentsTheJobCommandAccepts() throws Exception {
        String mainClass;
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            mainClass = jarFile.getManifest().getMainAttributes().getValue("Main-Class");
        }
        for (Map<String, Object> job : jobs()) {
            String entryClass = (String) job.get("entryClass");
            assertThat(entryClass).isEqualTo(mainClass);
            assertHasMainInJar(entryClass);
            assertJobArguments(job.get("args"));
        }
    }

    @Test
    void everyJobNamesItsParallelismAndUpgradeModeForTheOperator() {
        for (Map<String, Object> job : jobs()) {
            assertThat(job.get("parallelism")).isInstanceOfSatisfying(Integer.class, p -> assertThat(p).isPositive());
            assertThat(job.get("upgradeMode")).isIn("stateless", "last-state", "savepoint");
            assertThat(job.get("state")).isEqualTo("running");
        }
    }

    @Test
    void theApplicationRunsTheJarWhereTheImagePutsIt() {
        Instruction copy = dockerfile.stream()
                .filter(i -> i.keyword().equals("COPY") && i.arguments().contains("facestream.jar")).findFirst()
                .orElseThrow(() -> new AssertionError("deploy/Dockerfile copies no facestream.jar into the image"));
        List<String> paths = copy.paths();
        assertThat(paths.get(0)).as("the jar the image takes is the Maven build's").endsWith("job/target/facestream.jar");
        String jarInImage = paths.get(paths.size() - 1);
        assertThat(job(application.get(0)).get("jarURI")).isEqualTo("local://" + jarInImage);
    }

    @Test
    void theSessionJobFetchesTheJarOverHttps() {
        URI jarUri = URI.create((String) job(only(session, "FlinkSessionJob")).get("jarURI"));
        // The operator downloads a session job's jar itself and by default allows https only.
        assertThat(jarUri.getScheme()).isEqualTo("https");
        assertThat(Path.of(jarUri.getPath()).getFileName()).isEqualTo(jar.getFileName());
    }

    @Test
    void flinkConfigurationUsesCurrentFlinkOptionNamesAndStringValues() throws Exception {
        Set<String> knownKeys = optionKeys(TaskManagerOptions.class, JobManagerOptions.class, CoreOptions.class,
                CheckpointingOptions.class, HighAvailabilityOptions.class);
        for (Map<String, Object> deployment : deployments()) {
            Map<String, Object> config = map(map(deployment, "spec"), "flinkConfiguration");
            // The CRD declares the map as string to string: a bare YAML number is rejected by Kubernetes.
            assertThat(config.values()).allSatisfy(value -> assertThat(value).isInstanceOf(String.class));
            assertThat(config.keySet()).allSatisfy(key ->
                    assertThat(key.startsWith(REPORTER_PREFIX) || knownKeys.contains(key))
                            .as(key + " is an option of Flink " + flinkVersion() + " (not a removed or deprecated name)")
                            .isTrue());
        }
    }

    @Test
    void nativeStateLoadsParentFirstOnEveryCluster() throws Exception {
        String declared = flinkLibPatterns();
        assertThat(PARENT_FIRST).allSatisfy(type ->
                assertThat(declared.split(";")).anySatisfy(p -> assertThat(type.getName()).startsWith(p)));
        for (Map<String, Object> deployment : deployments()) {
            assertThat(String.join(";", flinkConfiguration(deployment).get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL)))
                    .as("the patterns declared in deploy/flink-lib/pom.xml").isEqualTo(declared);
        }
    }

    @Test
    void taskManagerAndJobManagerMemoryAddUpForFlink() {
        for (Map<String, Object> deployment : deployments()) {
            Map<String, Object> spec = map(deployment, "spec");
            Configuration config = flinkConfiguration(deployment);
            // The operator turns each pod's memory into the process size; Flink derives the rest or refuses.
            MemorySize taskManager = MemorySize.parse((String) map(map(spec, "taskManager"), "resource").get("memory"));
            config.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, taskManager);
            assertThat(TaskExecutorProcessUtils.processSpecFromConfig(config).getTotalProcessMemorySize()).isEqualTo(taskManager);
            MemorySize jobManager = MemorySize.parse((String) map(map(spec, "jobManager"), "resource").get("memory"));
            config.set(JobManagerOptions.TOTAL_PROCESS_MEMORY, jobManager);
            assertThat(JobManagerProcessUtils.processSpecFromConfig(config).getTotalProcessMemorySize()).isEqualTo(jobManager);
        }
    }

    @Test
    void upgradeModesHaveTheStorageTheyNeed() {
        Map<String, Object> sessionCluster = only(session, "FlinkDeployment");
        assertStorageFor(job(application.get(0)), flinkConfiguration(application.get(0)));
        assertStorageFor(job(only(session, "FlinkSessionJob")), flinkConfiguration(sessionCluster));
    }

    @Test
    void prometheusReportsOnThePortThePodsExpose() {
        for (Map<String, Object> deployment : deployments()) {
            Map<String, Object> config = map(map(deployment, "spec"), "flinkConfiguration");
            assertThat(config).containsEntry(REPORTER_PREFIX + "prom.factory.class",
                    "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            List<Map<String, Object>> containers = list(map(map(map(deployment, "spec"), "podTemplate"), "spec"), "containers");
            Map<String, Object> flinkContainer = containers.stream()
                    .filter(c -> "flink-main-container".equals(c.get("name"))).findFirst().orElseThrow();
            assertThat(list(flinkContainer, "ports")).anySatisfy(port -> {
                assertThat(port.get("name")).isEqualTo("metrics");
                assertThat(String.valueOf(port.get("containerPort"))).isEqualTo(config.get(REPORTER_PREFIX + "prom.port"));
            });
        }
    }

    // ---- the image ----

    @Test
    void theImageIsTheOfficialFlinkImageForTheJobsFlinkAndJava() throws IOException {
        List<Instruction> froms = dockerfile.stream().filter(i -> i.keyword().equals("FROM")).toList();
        String finalImage = froms.get(froms.size() - 1).arguments().split("\\s+")[0];
        assertThat(finalImage).isEqualTo("flink:" + flinkVersion() + "-java" + javaReleaseOfTheJar());
    }

    @Test
    void theImageFetchesTheModelWithTheBuildsScriptAndTheBuildsCoordinates() throws Exception {
        String script = "job/src/build/fetch-npm-model.sh";
        assertThat(root.resolve(script)).isRegularFile();
        assertThat(dockerfile).anySatisfy(i -> {
            assertThat(i.keyword()).isEqualTo("RUN");
            assertThat(i.arguments()).contains("bash " + script);
        });
        Map<String, String> properties = pomProperties(root.resolve("job/pom.xml"));
        Matcher propertyRead = Pattern.compile("\\$\\(property ([\\w.]+)\\)").matcher(dockerfileText);
        Set<String> readFromPom = new HashSet<>();
        while (propertyRead.find()) {
            readFromPom.add(propertyRead.group(1));
        }
        assertThat(readFromPom).as("model coordinates read from job/pom.xml").isNotEmpty();
        assertThat(properties).containsKeys(readFromPom.toArray(String[]::new));
        assertThat(dockerfileText).as("the checksum lives in job/pom.xml only").doesNotContain(properties.get("model.sha256"));
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            assertThat(jarFile.getEntry(ModelFile.DEFAULT_RESOURCE.substring(1))).as("the default model inside the jar").isNotNull();
        }
    }

    @Test
    void theImageAndTheLocalStackPutTheParentFirstJarsIntoFlinksLib() throws Exception {
        Set<String> flinkLib = dependencyArtifactIds(root.resolve("deploy/flink-lib/pom.xml"));
        for (Class<?> type : PARENT_FIRST) {
            assertThat(flinkLib).contains(artifactIdOf(type));
        }
        assertThat(dockerfileText).contains("mvn -B -q -f deploy/flink-lib/pom.xml dependency:copy-dependencies")
                .contains("COPY --from=build --chown=flink:flink /parent-first-lib/ /opt/flink/lib/");
        String stack = Files.readString(root.resolve("deploy/local/stack.sh"));
        assertThat(stack).contains("flink_lib_pom=\"$root/deploy/flink-lib/pom.xml\"")
                .contains("classloader.parent-first-patterns.additional: $parent_first");
    }

    /** classloader.parent-first-patterns.additional as deploy/flink-lib/pom.xml declares it with the jars. */
    private static String flinkLibPatterns() throws Exception {
        NodeList property = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(root.resolve("deploy/flink-lib/pom.xml").toFile()).getElementsByTagName("parent-first-patterns");
        assertThat(property.getLength()).as("deploy/flink-lib/pom.xml declares <parent-first-patterns>").isEqualTo(1);
        return property.item(0).getTextContent().strip();
    }

    @Test
    void theImagesFlinkSettingsAreTheManifestsSettings() throws Exception {
        Map<String, String> imageSettings = new LinkedHashMap<>();
        Matcher setting = Pattern.compile("\"-D([^=\\s\"]+)=([^\"]*)\"").matcher(dockerfileText);
        while (setting.find()) {
            imageSettings.put(setting.group(1), setting.group(2));
        }
        // The image reads the patterns from deploy/flink-lib/pom.xml, where they are declared with the jars.
        assertThat(imageSettings).containsEntry(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL.key(),
                "$(cat /tmp/parent-first-patterns)");
        imageSettings.put(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL.key(), flinkLibPatterns());
        // The operator writes its own config.yaml over the image's, so each setting has to be in both.
        for (Map<String, Object> deployment : deployments()) {
            assertThat(map(map(deployment, "spec"), "flinkConfiguration")).containsAllEntriesOf(imageSettings);
        }
    }

    @Test
    void theSessionClusterCommandSubmitsTheJobSubcommandOfTheBuiltJar() throws IOException {
        String submit = Files.readString(root.resolve("deploy/submit.sh"));
        assertThat(submit).contains("jar=\"$here/job/target/facestream.jar\"");
        Matcher run = Pattern.compile("bin/flink\" run (?:--\\S+ )*\"\\$jar\" (\\S+) \"\\$@\"").matcher(submit);
        assertThat(run.find()).as("submit.sh runs: flink run [options] \"$jar\" SUBCOMMAND \"$@\"").isTrue();
        assertThat(FaceStreamCli.commandLine().getSubcommands()).containsKey(run.group(1));
    }

    // ---- helpers ----

    private static void assertHasMainInJar(String entryClass) throws Exception {
        try (URLClassLoader jarOnly = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Method main = Class.forName(entryClass, false, jarOnly).getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers())).as(entryClass + ".main is static").isTrue();
        }
    }

    /** Parses the arguments as the jar's main() would and builds the job's settings, which validate them. */
    private static void assertJobArguments(Object args) {
        assertThat(args).isInstanceOf(List.class);
        List<?> values = (List<?>) args;
        assertThat(values).allSatisfy(a -> assertThat(a).isInstanceOf(String.class));
        ParseResult parsed = FaceStreamCli.commandLine().parseArgs(values.toArray(String[]::new));
        assertThat(parsed.subcommand()).as("a subcommand").isNotNull();
        CommandSpec job = parsed.subcommand().commandSpec();
        assertThat(job.name()).isEqualTo("job");
        // The operator sets the parallelism (job.parallelism); a --parallelism flag would silently override it.
        assertThat(parsed.subcommand().hasMatchedOption("--parallelism")).as("--parallelism in the job's args").isFalse();
        assertThatCode(() -> FaceStreamCli.checkJobSettings(job)).doesNotThrowAnyException();
    }

    private static void assertStorageFor(Map<String, Object> job, Configuration config) {
        assertThat(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).as("checkpoint storage").isNotBlank();
        String mode = (String) job.get("upgradeMode");
        if (mode.equals("savepoint") || mode.equals("last-state")) {
            assertThat(config.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).as("savepoints for " + mode).isNotBlank();
        }
        if (mode.equals("last-state")) {
            // last-state finds the latest checkpoint through the HA metadata.
            assertThat(config.get(HighAvailabilityOptions.HA_MODE)).as("high availability for last-state").isNotEqualToIgnoringCase("NONE");
            assertThat(config.get(HighAvailabilityOptions.HA_STORAGE_PATH)).isNotBlank();
        }
    }

    private static int javaReleaseOfTheJar() throws IOException {
        try (JarFile jarFile = new JarFile(jar.toFile());
             InputStream in = jarFile.getInputStream(jarFile.getEntry("io/facestream/cli/FaceStreamCli.class"))) {
            byte[] header = in.readNBytes(8);
            int major = ((header[6] & 0xff) << 8) | (header[7] & 0xff);
            return major - 44;
        }
    }

    private static String flinkVersion() {
        String version = EnvironmentInformation.getVersion();
        assertThat(version).matches("\\d+\\.\\d+\\.\\d+");
        return version;
    }

    private static String artifactIdOf(Class<?> type) throws Exception {
        // In the Maven repository layout a jar lies in .../ARTIFACT_ID/VERSION/.
        Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        return location.getParent().getParent().getFileName().toString();
    }

    private static Set<String> optionKeys(Class<?>... holders) throws IllegalAccessException {
        Set<String> keys = new HashSet<>();
        for (Class<?> holder : holders) {
            for (Field field : holder.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())
                        && !field.isAnnotationPresent(Deprecated.class)) {
                    keys.add(((ConfigOption<?>) field.get(null)).key());
                }
            }
        }
        return keys;
    }

    private static Configuration flinkConfiguration(Map<String, Object> deployment) {
        Map<String, String> values = new LinkedHashMap<>();
        map(map(deployment, "spec"), "flinkConfiguration").forEach((k, v) -> values.put(k, String.valueOf(v)));
        return Configuration.fromMap(values);
    }

    private static List<Map<String, Object>> deployments() {
        List<Map<String, Object>> all = new ArrayList<>(application);
        all.addAll(session);
        return all.stream().filter(d -> "FlinkDeployment".equals(d.get("kind"))).toList();
    }

    private static List<Map<String, Object>> jobs() {
        List<Map<String, Object>> all = new ArrayList<>(application);
        all.addAll(session);
        return all.stream().filter(d -> map(d, "spec").containsKey("job")).map(DeploymentManifestsIT::job).toList();
    }

    private static Map<String, Object> job(Map<String, Object> resource) {
        return map(map(resource, "spec"), "job");
    }

    private static Map<String, Object> only(List<Map<String, Object>> documents, String kind) {
        List<Map<String, Object>> ofKind = documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(ofKind).as("one " + kind).hasSize(1);
        return ofKind.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        assertThat(parent.get(key)).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        assertThat(parent.get(key)).as(key).isInstanceOf(List.class);
        return (List<Map<String, Object>>) parent.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> yamlDocuments(Path file) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
            assertThat(document).as(file + " holds resources").isInstanceOf(Map.class);
            documents.add((Map<String, Object>) document);
        }
        return documents;
    }

    private static Map<String, String> pomProperties(Path pom) throws Exception {
        Element properties = (Element) DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
                .getDocumentElement().getElementsByTagName("properties").item(0);
        Map<String, String> values = new LinkedHashMap<>();
        NodeList children = properties.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i).getNodeType() == Node.ELEMENT_NODE) {
                values.put(children.item(i).getNodeName(), children.item(i).getTextContent().strip());
            }
        }
        return values;
    }

    private static Set<String> dependencyArtifactIds(Path pom) throws Exception {
        NodeList dependencies = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
                .getDocumentElement().getElementsByTagName("dependency");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < dependencies.getLength(); i++) {
            ids.add(((Element) dependencies.item(i)).getElementsByTagName("artifactId").item(0).getTextContent().strip());
        }
        return ids;
    }

    /** One Dockerfile instruction, continuation lines joined and comments dropped. */
    record Instruction(String keyword, String arguments) {

        static List<Instruction> parse(String dockerfile) {
            List<Instruction> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : dockerfile.split("\n")) {
                String trimmed = line.strip();
                if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                    continue;
                }
                current.append(trimmed);
                String[] parts = current.toString().split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""));
                current.setLength(0);
            }
            return instructions;
        }

        /** A COPY's sources and destination, without its --flags. */
        List<String> paths() {
            return Arrays.stream(arguments.split("\\s+")).filter(token -> !token.startsWith("--")).toList();
        }
    }
}
