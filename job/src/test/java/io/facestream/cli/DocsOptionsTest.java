package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.config.Options;
import io.facestream.detect.DetectorOptions;
import io.facestream.sql.DetectFacesSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The flag and option tables of the docs against the options: every row's flag or key exists, the
 * default it shows is the option's as the command line prints it ({@link Options#defaultText}, in
 * a code span; an option without a default shows none), and the tables of the job, the SQL
 * function and the tools' own flags leave none of their options out.
 */
class DocsOptionsTest {

    private static final Path DOCS = Path.of(System.getProperty("facestream.docs", "../docs")).toAbsolutePath().normalize();

    /** The SQL function's table stands for this pseudo-command. */
    private static final String SQL = "detect_faces";

    /** Options deliberately missing from their table, and why. */
    private static final Map<String, String> NOT_IN_TABLES = Map.of(
            SQL + " facestream.intra-op-threads", "not a setting for users: the benchmarks' lever; one ONNX Runtime thread "
                    + "per inference thread is what the job and the tools run");

    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    /** One row of an options table: the command the table is about, the names in its first cell, its default cell. */
    record Row(String where, String command, List<String> names, String defaults) {}

    @Test
    void everyTableRowNamesAnOptionAndShowsItsDefault() throws IOException {
        Map<String, Map<String, ConfigOption<?>>> commands = optionsByCommand();
        List<Row> rows = rows();
        assertThat(rows).as("options tables in " + DOCS).hasSizeGreaterThan(40);
        List<String> wrong = new ArrayList<>();
        for (Row row : rows) {
            Map<String, ConfigOption<?>> options = commands.get(row.command());
            assertThat(options).as(row.where() + ": a table of command " + row.command()).isNotNull();
            List<String> parts = splitTopLevel(row.defaults(), ',');
            if (parts.size() != row.names().size() && parts.size() > 1) {
                wrong.add(row.where() + ": " + row.names().size() + " names but " + parts.size() + " defaults");
                continue;
            }
            for (int i = 0; i < row.names().size(); i++) {
                String name = row.names().get(i);
                String shown = firstCode(parts.size() == 1 ? parts.get(0) : parts.get(i));
                if (name.equals(ConfigFile.OPTION)) {
                    // The file of options, not an option; it has no default.
                    if (shown != null) {
                        wrong.add(row.where() + " " + name + ": shows default " + shown + ", it has none");
                    }
                    continue;
                }
                ConfigOption<?> option = options.get(name);
                if (option == null) {
                    wrong.add(row.where() + " " + name + ": no such option of " + row.command());
                    continue;
                }
                String expected = Options.defaultText(option);
                if (expected == null ? shown != null : !expected.equals(shown)) {
                    wrong.add(row.where() + " " + name + ": shows " + (shown == null ? "no default" : "`" + shown + "`")
                            + ", the option's default is " + (expected == null ? "none" : "`" + expected + "`"));
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void theJobsTheSqlFunctionsAndTheToolsTablesLeaveNoOptionOut() throws IOException {
        Map<String, Map<String, ConfigOption<?>>> commands = optionsByCommand();
        Map<String, Set<String>> documented = new LinkedHashMap<>();
        Set<ConfigOption<?>> inSomeTable = new HashSet<>();
        for (Row row : rows()) {
            documented.computeIfAbsent(row.command(), command -> new LinkedHashSet<>()).addAll(row.names());
            row.names().stream().map(commands.get(row.command())::get).filter(Objects::nonNull).forEach(inSomeTable::add);
        }
        Set<ConfigOption<?>> toolOptions = OptionsAgreementTest.toolOptions();
        List<String> missing = new ArrayList<>();
        commands.forEach((command, options) -> options.forEach((name, option) -> {
            String key = command + " " + name;
            if (NOT_IN_TABLES.containsKey(key)) {
                return;
            }
            if (command.equals("job") || command.equals(SQL)) {
                // Every option of the job and of the SQL function, in their own tables.
                if (!documented.getOrDefault(command, Set.of()).contains(name)) {
                    missing.add(key);
                }
            } else if (toolOptions.contains(option) && !inSomeTable.contains(option)) {
                // A tool's own option, in the table of a command that takes it (consume's reading flags serve render too);
                // the job's options the tools share are in the job's table.
                missing.add(key);
            }
        }));
        assertThat(missing).as("options in no table of " + DOCS).isEmpty();
        assertThat(documented).containsKeys("job", SQL, "local", "detect", "topics");
    }

    /** Each command's options by the name a table gives them: {@code --KEY}, or {@code facestream.KEY} for SQL. */
    private static Map<String, Map<String, ConfigOption<?>>> optionsByCommand() {
        Map<String, Map<String, ConfigOption<?>>> commands = new LinkedHashMap<>();
        CommandLine cli = FaceStreamCli.commandLine();
        for (CommandLine command : new LinkedHashSet<>(cli.getSubcommands().values())) {
            if (command.getCommand() instanceof Flags.Generated generated) {
                Map<String, ConfigOption<?>> options = new LinkedHashMap<>();
                generated.flags().forEach(flag -> options.put(flag.name(), flag.option()));
                commands.put(command.getCommandName(), options);
            }
        }
        Map<String, ConfigOption<?>> sql = new LinkedHashMap<>();
        DetectFacesSettings.OPTIONS.forEach(option -> sql.put(DetectFacesSettings.key(option), option));
        commands.put(SQL, sql);
        assertThat(DetectFacesSettings.OPTIONS).containsAll(DetectorOptions.ALL);
        return commands;
    }

    /**
     * The rows of every table whose header is {@code | flag | default |} or {@code | option | default |}.
     * The command is the first one named in code in the section's heading ({@code ## `local`: ...}),
     * else the file's: {@code job} in running-on-kafka.md, the SQL function in sql-and-datastream.md.
     */
    private static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listed = Files.list(DOCS)) {
            files = listed.filter(file -> file.toString().endsWith(".md")).sorted().toList();
        }
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            String heading = "";
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("#")) {
                    heading = line;
                    continue;
                }
                List<String> header = cells(line);
                if (header.size() < 2 || !(header.get(0).equals("flag") || header.get(0).equals("option"))
                        || !header.get(1).equals("default")) {
                    continue;
                }
                String command = command(file, heading);
                for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
                    List<String> row = cells(lines.get(i));
                    List<String> names = new ArrayList<>();
                    Matcher code = CODE.matcher(row.get(0));
                    while (code.find()) {
                        names.add(code.group(1));
                    }
                    assertThat(names).as(file.getFileName() + ":" + (i + 1) + " names no flag").isNotEmpty();
                    rows.add(new Row(file.getFileName() + ":" + (i + 1), command, names, row.get(1)));
                }
            }
        }
        return rows;
    }

    private static String command(Path file, String heading) {
        Matcher code = CODE.matcher(heading);
        if (code.find()) {
            return code.group(1);
        }
        return switch (file.getFileName().toString()) {
            case "running-on-kafka.md" -> "job";
            case "sql-and-datastream.md" -> SQL;
            default -> throw new AssertionError(file + ", section " + heading + ": an options table of no command; "
                    + "name the command in the heading");
        };
    }

    private static List<String> cells(String line) {
        String trimmed = line.strip();
        if (!trimmed.startsWith("|") || !trimmed.endsWith("|")) {
            return List.of();
        }
        return splitTopLevel(trimmed.substring(1, trimmed.length() - 1), '|');
    }

    /** {@code text} split at {@code separator} where it stands outside code spans and parentheses, each part trimmed. */
    private static List<String> splitTopLevel(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean inCode = false;
        int depth = 0;
        for (char c : text.toCharArray()) {
            if (c == '`') {
                inCode = !inCode;
            } else if (!inCode && c == '(') {
                depth++;
            } else if (!inCode && c == ')') {
                depth--;
            }
            if (c == separator && !inCode && depth == 0) {
                parts.add(part.toString().strip());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString().strip());
        return parts;
    }

    private static String firstCode(String text) {
        Matcher code = CODE.matcher(text);
        return code.find() ? code.group(1) : null;
    }
}
