package dev.weir.portability;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The TypeScript word count of README.md ("Other SDKs"), as a newcomer runs it: its project in
 * the test resources ({@code typescript-wordcount/}: package.json, lock file, tsconfig.json,
 * wordcount.ts), compiled with {@code tsc} and run with {@code node} against a job server.
 */
public class TypeScriptWordCountTest {
  private static final List<String> LINES =
      List.of(
          "To be, or not to be: that is the question:",
          "Whether 'tis nobler in the mind to suffer",
          "The slings and arrows of outrageous fortune,");
  private static final Pattern PRINTED = Pattern.compile("^([a-z']+): (\\d+)$", Pattern.MULTILINE);

  private static NodeProject project;

  @BeforeClass
  public static void install() throws Exception {
    project =
        NodeProject.install(
            "typescript-wordcount",
            List.of("package.json", "package-lock.json", "tsconfig.json", "wordcount.ts"));
  }

  @Test
  public void readmesTypeScriptWordCountPrintsEveryWordsCount() throws Exception {
    Path work = project.directory();
    Path compileLog = work.resolve("tsc.log");
    assertEquals(
        "tsc failed; see " + compileLog,
        0,
        project.run(List.of("node", "node_modules/typescript/bin/tsc"), Map.of(), compileLog, 5));

    Path log = work.resolve("wordcount.log");
    int exit;
    try (WeirJobServer server =
        WeirJobServer.start(
            Map.of("port", "0", "artifactsDir", Files.createTempDirectory(work, "artifacts").toString()))) {
      exit =
          project.run(
              List.of("node", "dist/wordcount.js"),
              Map.of("JOB_ENDPOINT", "localhost:" + server.port()),
              log,
              10);
    }
    String output = Files.readString(log);
    assertEquals(output, 0, exit);

    Map<String, Long> printed = new TreeMap<>();
    Matcher m = PRINTED.matcher(output);
    while (m.find()) {
      printed.put(m.group(1), Long.parseLong(m.group(2)));
    }
    Map<String, Long> expected = new TreeMap<>();
    for (String line : LINES) {
      for (String word : line.toLowerCase().split("[^a-z']+")) {
        if (!word.isEmpty()) {
          expected.merge(word, 1L, Long::sum);
        }
      }
    }
    assertEquals(output, expected, printed);
  }
}
