package dev.weir.validatesrunner;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.Test;

public class SurefireReportReaderTest {

  static Path sampleDirectory() throws Exception {
    return Path.of(SurefireReportReaderTest.class.getResource("/surefire-sample").toURI());
  }

  @Test
  public void readsEveryRunWithOutcomeAndFirstLine() throws Exception {
    List<TestRun> runs = new SurefireReportReader().readDirectory(sampleDirectory());
    assertEquals(8, runs.size());
    Map<String, TestRun> first =
        runs.stream()
            .collect(Collectors.toMap(r -> r.id().method(), r -> r, (a, b) -> a));
    assertEquals(Outcome.PASSED, first.get("testPass").outcome());
    assertEquals(Outcome.FAILED, first.get("testFail").outcome());
    assertEquals("expected:<1> but was:<2>", first.get("testFail").message());
    assertEquals(Outcome.FAILED, first.get("testStream").outcome());
    assertEquals(
        "java.lang.IllegalStateException java.lang.IllegalStateException: stuck",
        first.get("testStream").message());
    assertEquals(Outcome.SKIPPED, first.get("testSkip").outcome());
    assertEquals("got: <false>", first.get("testSkip").message());
    // A rerun that passed in the end passed.
    assertEquals(Outcome.PASSED, first.get("testFlaky").outcome());
  }

  @Test
  public void dropsParameterSuffixFromMethod() throws Exception {
    List<TestRun> runs = new SurefireReportReader().readDirectory(sampleDirectory());
    long params = runs.stream().filter(r -> r.id().method().equals("testParams")).count();
    assertEquals(2, params);
  }

  @Test
  public void classFailureWithoutClassnameIsKeyedByItsName() throws Exception {
    String xml =
        "<testsuite><testcase name=\"org.example.BrokenTest\" time=\"0\">"
            + "<error message=\"boom\" type=\"java.lang.ExceptionInInitializerError\"/>"
            + "</testcase></testsuite>";
    List<TestRun> runs =
        new SurefireReportReader()
            .read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    assertEquals(new TestId("org.example.BrokenTest", "org.example.BrokenTest"), runs.get(0).id());
    assertEquals("boom", runs.get(0).message());
  }

  @Test
  public void classSetupFailureIsKeyedAsTheClassSoItCanBeListed() throws Exception {
    // What Surefire writes when a @BeforeClass method throws: no test name.
    String xml =
        "<testsuite><testcase name=\"\" classname=\"org.example.GbekTest\" time=\"0\">"
            + "<error message=\"com/google/Client\" type=\"java.lang.NoClassDefFoundError\"/>"
            + "</testcase></testsuite>";
    List<TestRun> runs =
        new SurefireReportReader()
            .read(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    TestId id = runs.get(0).id();
    assertEquals(new TestId("org.example.GbekTest", SurefireReportReader.CLASS_LEVEL), id);
    assertEquals(id, TestId.parse(id.toString()));
    assertEquals(Outcome.FAILED, runs.get(0).outcome());
  }

  @Test
  public void missingDirectoryHasNoRuns() throws Exception {
    assertEquals(
        List.of(), new SurefireReportReader().readDirectory(Path.of("does/not/exist")));
  }
}
