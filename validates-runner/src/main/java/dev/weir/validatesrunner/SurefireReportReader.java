package dev.weir.validatesrunner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/** Reads the {@code <testcase>} elements of Surefire's {@code TEST-*.xml} reports. */
public final class SurefireReportReader {

  /**
   * Method name given to a failure of a whole class, such as a {@code @BeforeClass} that threw:
   * Surefire reports it with an empty test name, which could not be listed as a known failure.
   */
  public static final String CLASS_LEVEL = "(class)";

  private final DocumentBuilderFactory factory;

  public SurefireReportReader() {
    factory = DocumentBuilderFactory.newInstance();
    // Reports are local files, but there is no reason to let them pull in anything.
    factory.setExpandEntityReferences(false);
    try {
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every run in every {@code TEST-*.xml} of the directory; none if it does not exist. */
  public List<TestRun> readDirectory(Path directory) throws IOException {
    List<TestRun> runs = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return runs;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "TEST-*.xml")) {
      stream.forEach(files::add);
    }
    files.sort(null);
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        runs.addAll(read(in));
      } catch (IOException | IllegalArgumentException e) {
        throw new IOException("cannot read Surefire report " + file + ": " + e.getMessage(), e);
      }
    }
    return runs;
  }

  /** The runs of one report. */
  public List<TestRun> read(InputStream report) throws IOException {
    Document document;
    try {
      DocumentBuilder builder = factory.newDocumentBuilder();
      document = builder.parse(report);
    } catch (ParserConfigurationException | SAXException e) {
      throw new IllegalArgumentException("not a Surefire XML report: " + e.getMessage(), e);
    }
    List<TestRun> runs = new ArrayList<>();
    NodeList cases = document.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      runs.add(toRun((Element) cases.item(i)));
    }
    return runs;
  }

  private static TestRun toRun(Element testcase) {
    String className = testcase.getAttribute("classname");
    String name = testcase.getAttribute("name");
    if (className.isEmpty()) {
      // A class that failed before any test (e.g. in @BeforeClass) may be reported without
      // a classname; its name is then the class.
      className = name;
    }
    if (name.isBlank()) {
      name = CLASS_LEVEL;
    }
    Outcome outcome = Outcome.PASSED;
    String message = "";
    // <flakyFailure>/<rerunFailure> are earlier attempts of a rerun; only the final verdict
    // (<failure>, <error>, <skipped> or nothing) counts.
    for (Node child = testcase.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (!(child instanceof Element element)) {
        continue;
      }
      switch (element.getTagName()) {
        case "failure", "error" -> {
          outcome = Outcome.FAILED;
          message = firstLine(element);
        }
        case "skipped" -> {
          if (outcome != Outcome.FAILED) {
            outcome = Outcome.SKIPPED;
            message = firstLine(element);
          }
        }
        default -> {}
      }
    }
    return new TestRun(TestId.ofReported(className, name), outcome, message, seconds(testcase));
  }

  /** The message's first line, or when there is none, the exception type and trace's first. */
  static String firstLine(Element verdict) {
    String text = verdict.getAttribute("message");
    if (text.isBlank()) {
      text = verdict.getAttribute("type") + " " + verdict.getTextContent();
    }
    for (String line : text.strip().split("\\R")) {
      if (!line.isBlank()) {
        return line.strip();
      }
    }
    return "";
  }

  private static double seconds(Element testcase) {
    String time = testcase.getAttribute("time").replace(",", "");
    try {
      return time.isEmpty() ? 0 : Double.parseDouble(time);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
