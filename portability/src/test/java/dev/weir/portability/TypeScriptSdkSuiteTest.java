package dev.weir.portability;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The Beam TypeScript SDK's own test suite ({@code apache-beam} 2.49.0 from npm, its
 * {@code dist/test/primitives_test.js}) run against Weir's job server: its "portable runner"
 * cases submit each pipeline with {@code PortableRunner({environmentType: "LOOPBACK"})} to the
 * job endpoint named in {@code BEAM_SERVICE_OVERRIDES} (the SDK's hook for a job service it would
 * otherwise start itself). The cases include a bad assert that must fail its job and counters and
 * distributions read back through GetJobMetrics.
 *
 * <p>The node packages come from the npm registry: {@code npm ci} with the lock file of the test
 * resources, into {@code target/typescript-sdk}. Skipped, saying so, only where {@code node} or
 * {@code npm} is not on the PATH.
 *
 * <p>Not run: the suite's "liquid sharding @ulr" case, which has the job service split a bundle
 * while it runs ({@code directTestSplits}, an option of Beam's Python universal local runner);
 * Weir does not split bundles. Its assert (exactly two "endOfBundle" outputs) can hold on Weir by
 * how the elements fall on subtasks and bundles, which would say nothing about splitting.
 */
public class TypeScriptSdkSuiteTest {
  private static final long SUITE_MINUTES = 20;

  /** Cases of the suite that fail on Weir, with the reason. Only shrinks. */
  private static final Map<String, String> KNOWN_FAILURES = Map.of();

  private static NodeProject project;

  @BeforeClass
  public static void installSdk() throws Exception {
    project = NodeProject.install("typescript-sdk", List.of("package.json", "package-lock.json"));
  }

  @Test
  public void portableRunnerCasesOfTheTypeScriptSdkSuitePassAgainstWeir() throws Exception {
    Path work = project.directory();
    Path report = work.resolve("primitives-report.json");
    Files.deleteIfExists(report);
    Path log = work.resolve("primitives.log");
    int exit;
    try (WeirJobServer server =
        WeirJobServer.start(
            Map.of(
                "port",
                "0",
                "artifactsDir",
                Files.createTempDirectory(work, "artifacts").toString()))) {
      String overrides =
          "{\"python:apache_beam.runners.portability.local_job_service_main\": \"localhost:"
              + server.port()
              + "\"}";
      exit =
          project.run(
              List.of(
                  "node",
                  "node_modules/mocha/bin/mocha.js",
                  "node_modules/apache-beam/dist/test/primitives_test.js",
                  "--grep",
                  "portable runner",
                  "--timeout",
                  "120000",
                  "--reporter",
                  "json",
                  "--reporter-option",
                  "output=" + report),
              Map.of("BEAM_SERVICE_OVERRIDES", overrides),
              log,
              SUITE_MINUTES);
    }
    assertTrue("mocha wrote no report; see " + log, Files.isRegularFile(report));
    JsonNode results = new ObjectMapper().readTree(report.toFile());

    List<String> passed = titles(results.get("passes"));
    Map<String, String> failed = new TreeMap<>();
    for (JsonNode test : results.get("failures")) {
      failed.put(test.get("fullTitle").asText(), test.get("err").path("message").asText());
    }
    List<String> pending = titles(results.get("pending"));
    System.out.printf(
        "TypeScript SDK suite against Weir: %d passed, %d failed, %d pending (mocha exit %d)%n"
            + "passed: %s%nfailed: %s%n",
        passed.size(), failed.size(), pending.size(), exit, passed, failed);

    assertEquals("failed cases (messages; log " + log + ")", KNOWN_FAILURES.keySet(), failed.keySet());
    assertEquals("pending cases", List.of(), pending);
    // The cases that check the runner itself, not only the SDK, are among those that passed.
    for (String needed :
        List.of(
            "primitives module portable runner @ulr testing.assertDeepEqual fails on bad assert",
            "primitives module portable runner @ulr runs basic transforms runs a map with counters",
            "primitives module portable runner @ulr runs basic transforms runs a WindowInto IntervalWindow")) {
      assertTrue(needed + " not among the passed " + passed, passed.contains(needed));
    }
    assertTrue("too few cases ran: " + passed, passed.size() >= 14);
  }

  private static List<String> titles(JsonNode tests) {
    List<String> titles = new ArrayList<>();
    for (JsonNode test : tests) {
      titles.add(test.get("fullTitle").asText());
    }
    return new ArrayList<>(new TreeSet<>(titles));
  }
}
