package dev.weir.validatesrunner;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.runner.Description;
import org.junit.runner.notification.RunListener;

/**
 * A per-test watchdog for the suite, registered with Surefire as a JUnit listener.
 *
 * <p>JUnit 4 has no global per-test timeout (only the {@code Timeout} rule a test class must
 * declare, and Beam's classes do not), and Surefire's {@code forkedProcessTimeoutInSeconds}
 * kills the whole fork and with it every test after the hung one. A runner under development
 * hangs: a missed watermark, a timer that never fires. So this listener escalates on the thread
 * that runs a test once it has run {@code weir.vr.testTimeoutSeconds}:
 *
 * <ol>
 *   <li>dump all threads to {@code weir.vr.threadDumpDir}, note the test in {@code
 *       timed-out.tsv} there (the report marks it) and interrupt the thread: a test blocked in
 *       {@code waitUntilFinish} or a queue then fails, and the suite goes on;
 *   <li>after {@code weir.vr.testTimeoutGraceSeconds} more, {@code Thread.stop} it (still
 *       works on Java 17), which JUnit reports as a failure with {@code ThreadDeath};
 *   <li>after another grace period, halt the JVM: Surefire reports the fork as crashed. The
 *       dump says where it hung.
 * </ol>
 */
public final class TestTimeoutListener extends RunListener {

  private final long timeoutMillis;
  private final long graceMillis;
  private final Path dumpDir;
  private final ScheduledExecutorService scheduler;
  private volatile Watch current;

  public TestTimeoutListener() {
    this(
        Long.getLong("weir.vr.testTimeoutSeconds", 300) * 1000,
        Long.getLong("weir.vr.testTimeoutGraceSeconds", 60) * 1000,
        Path.of(System.getProperty("weir.vr.threadDumpDir", "target/test-timeouts")));
  }

  TestTimeoutListener(long timeoutMillis, long graceMillis, Path dumpDir) {
    this.timeoutMillis = timeoutMillis;
    this.graceMillis = graceMillis;
    this.dumpDir = dumpDir;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "weir-test-timeout-watchdog");
              thread.setDaemon(true); // must never keep the fork alive
              return thread;
            });
  }

  @Override
  public void testStarted(Description description) {
    if (timeoutMillis <= 0) {
      return;
    }
    Watch watch = new Watch(description, Thread.currentThread());
    current = watch;
    watch.schedule(1, timeoutMillis);
  }

  @Override
  public void testFinished(Description description) {
    Watch watch = current;
    if (watch != null) {
      watch.cancel();
      current = null;
    }
  }

  /** The escalation for one test; cancelled when the test ends. */
  private final class Watch {
    private final Description test;
    private final Thread thread;
    private volatile boolean finished;
    private volatile ScheduledFuture<?> next;

    Watch(Description test, Thread thread) {
      this.test = test;
      this.thread = thread;
    }

    void schedule(int step, long delayMillis) {
      next = scheduler.schedule(() -> escalate(step), delayMillis, TimeUnit.MILLISECONDS);
    }

    void cancel() {
      finished = true;
      ScheduledFuture<?> pending = next;
      if (pending != null) {
        pending.cancel(false);
      }
    }

    private String id() {
      return test.getClassName() + "#" + test.getMethodName();
    }

    @SuppressWarnings("removal") // Thread.stop: the only way to end a test ignoring interrupts
    private void escalate(int step) {
      if (finished) {
        return;
      }
      long seconds = (timeoutMillis + (step - 1) * graceMillis) / 1000;
      String what =
          switch (step) {
            case 1 -> "interrupting its thread";
            case 2 -> "stopping its thread";
            default -> "halting the JVM";
          };
      System.err.printf("[weir watchdog] %s still running after %d s: %s%n", id(), seconds, what);
      writeDump(step);
      switch (step) {
        case 1 -> {
          recordTimeout(seconds);
          thread.interrupt();
          interruptTimeLimitedTests();
          schedule(2, graceMillis);
        }
        case 2 -> {
          try {
            thread.stop();
          } catch (UnsupportedOperationException e) {
            System.err.println("[weir watchdog] Thread.stop is not supported on this JVM");
          }
          schedule(3, graceMillis);
        }
        default -> {
          System.err.flush();
          Runtime.getRuntime().halt(3);
        }
      }
    }

    /**
     * A test with a JUnit timeout of its own runs on a thread of JUnit's {@code FailOnTimeout};
     * interrupting the thread that waits for it would leave the test, and the job it runs, going
     * on in the background until the JVM exits.
     */
    private void interruptTimeLimitedTests() {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t != thread && t.getName().equals("Time-limited test")) {
          t.interrupt();
        }
      }
    }

    private void recordTimeout(long seconds) {
      String line = test.getClassName() + "\t" + test.getMethodName() + "\t" + seconds + "\n";
      try {
        Files.createDirectories(dumpDir);
        Files.writeString(
            dumpDir.resolve("timed-out.tsv"),
            line,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        System.err.println("[weir watchdog] cannot record the timeout: " + e);
      }
    }

    private void writeDump(int step) {
      StringBuilder dump = new StringBuilder();
      for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
        dump.append('"').append(info.getThreadName()).append("\" ")
            .append(info.getThreadState()).append('\n');
        for (StackTraceElement frame : info.getStackTrace()) {
          dump.append("    at ").append(frame).append('\n');
        }
        dump.append('\n');
      }
      Path file = dumpDir.resolve(id().replaceAll("[^A-Za-z0-9_.#$-]", "_") + "-" + step + ".txt");
      try {
        Files.createDirectories(dumpDir);
        Files.writeString(file, dump, StandardCharsets.UTF_8);
      } catch (IOException e) {
        System.err.println("[weir watchdog] cannot write thread dump " + file + ": " + e);
      }
    }
  }
}
