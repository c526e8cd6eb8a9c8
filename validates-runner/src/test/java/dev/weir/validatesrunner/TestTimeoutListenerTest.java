package dev.weir.validatesrunner;

import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.Description;

public class TestTimeoutListenerTest {

  @Rule public TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void interruptsAHungTestAndRecordsIt() throws Exception {
    Path dir = folder.getRoot().toPath();
    TestTimeoutListener listener = new TestTimeoutListener(200, 60_000, dir);
    Description test = Description.createTestDescription("a.HungTest", "testHang");
    listener.testStarted(test);
    boolean interrupted = false;
    try {
      Thread.sleep(30_000);
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      listener.testFinished(test);
    }
    assertTrue("the watchdog interrupts the test's thread", interrupted);
    String recorded = Files.readString(dir.resolve("timed-out.tsv"));
    assertTrue(recorded, recorded.startsWith("a.HungTest\ttestHang\t"));
    assertTrue(Files.exists(dir.resolve("a.HungTest#testHang-1.txt")));
  }

  @Test
  public void leavesAFastTestAlone() throws Exception {
    Path dir = folder.getRoot().toPath();
    TestTimeoutListener listener = new TestTimeoutListener(500, 500, dir);
    Description test = Description.createTestDescription("a.FastTest", "testFast");
    listener.testStarted(test);
    listener.testFinished(test);
    Thread.sleep(800);
    assertTrue(!Thread.interrupted() && !Files.exists(dir.resolve("timed-out.tsv")));
  }
}
