package dev.weir.validatesrunner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ConformanceReportTest {

  private static final String BOUNDED = "dev.weir.validatesrunner.SampleSuite$Bounded";
  private static final String WEIR = "[\"--runner=TestWeirRunner\"]";

  @Rule public TemporaryFolder folder = new TemporaryFolder();

  /** A reports directory where the one ValidatesRunner test of the sample passed. */
  private Path onePassingTest() throws Exception {
    Path reports = folder.newFolder("reports").toPath();
    Files.writeString(
        reports.resolve("TEST-sample.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuite name=\"sample\" tests=\"1\">\n"
            + "  <testcase name=\"testPass\" classname=\"" + BOUNDED + "\" time=\"1\"/>\n"
            + "</testsuite>\n",
        StandardCharsets.UTF_8);
    return reports;
  }

  private String[] args(Path reports, String options, String... more) {
    List<String> args = new ArrayList<>();
    args.add("--reports=" + reports);
    args.add("--known-failures=" + folder.getRoot().toPath().resolve("no-known-failures.txt"));
    args.add("--out=" + out());
    args.add("--options=" + options);
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  private Path out() {
    return folder.getRoot().toPath().resolve("report/conformance-report");
  }

  private Path markdown() {
    return out().resolveSibling("conformance-report.md");
  }

  /** Runs the report's main, returns what it printed. */
  private static String run(String[] args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      ConformanceReport.main(args);
    } finally {
      System.setOut(original);
    }
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  public void aTitleArgumentHeadsTheMarkdownReportInsteadOfTheDefault() throws Exception {
    run(args(onePassingTest(), WEIR, "--subset=SampleSuite*", "--title=Another suite"));
    String report = Files.readString(markdown());
    assertTrue(report, report.startsWith("# Another suite\n"));
    assertFalse(report.contains(MarkdownReport.DEFAULT_TITLE));
  }

  @Test
  public void skippedSuitePrintsAndJudgesNothing() throws Exception {
    Path noReports = folder.getRoot().toPath().resolve("never-written");
    String printed =
        run(args(noReports, WEIR, "--skipped-by=weir.vr.skip=false,skipTests=true"));
    assertEquals("", printed);
    assertFalse(Files.exists(markdown()));
  }

  @Test
  public void suiteThatRanNoTestFailsTheBuild() throws Exception {
    Path empty = folder.newFolder("empty").toPath();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> run(args(empty, WEIR, "--skipped-by=skipTests=false")));
    assertThat(e.getMessage(), containsString("no test of the suite ran"));
  }

  @Test
  public void fullRunWithFewerTestsThanTheMinimumFailsTheBuild() throws Exception {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                run(
                    args(
                        onePassingTest(),
                        WEIR,
                        "--min-validates-runner-tests=390",
                        "--min-needs-runner-tests=900",
                        "--subset=")));
    assertThat(e.getMessage(), containsString("1 distinct ValidatesRunner tests ran"));
    assertThat(Files.readString(markdown()), containsString("at least 390"));
  }

  @Test
  public void subsetIsNotHeldToTheMinimum() throws Exception {
    String printed =
        run(
            args(
                onePassingTest(),
                WEIR,
                "--min-validates-runner-tests=390",
                "--min-needs-runner-tests=900",
                "--subset=SampleSuite*"));
    assertThat(
        printed,
        containsString("ValidatesRunner conformance: 1 of 1 distinct tests passed (0 failed, 0 skipped)"));
  }

  @Test
  public void runnerNotOnTheClasspathFailsTheBuild() throws Exception {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> run(args(onePassingTest(), "[\"--runner=TestNoSuchRunner\"]")));
    assertThat(e.getMessage(), containsString("'TestNoSuchRunner'"));
    assertTrue(Files.exists(markdown()));
  }
}
