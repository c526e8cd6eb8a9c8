package dev.weir.validatesrunner.portable;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class JobServerProcessTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** This module's classes (ExitWithParent) and test classes (the fakes). */
  private static String classpath() throws Exception {
    return Path.of(ExitWithParent.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        + File.pathSeparator
        + Path.of(FakeJobServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static List<String> fake(String argument) throws Exception {
    return JobServerProcess.javaCommand(
        List.of(), classpath(), FakeJobServer.class.getName(), List.of(argument));
  }

  @Test
  public void startReturnsOnceTheServerSaysItListensWithItsPortAndCopiesItsOutputToTheLog()
      throws Exception {
    Path log = tmp.getRoot().toPath().resolve("server.log");
    try (JobServerProcess server = JobServerProcess.start(fake("4242"), log, Duration.ofMinutes(2))) {
      assertEquals(4242, server.port());
      assertTrue(server.isAlive());
      assertThat(Files.readString(log), containsString("some start-up logging"));
    }
  }

  @Test
  public void closeEndsTheServer() throws Exception {
    Path log = tmp.getRoot().toPath().resolve("server.log");
    JobServerProcess server = JobServerProcess.start(fake("4242"), log, Duration.ofMinutes(2));
    server.close();
    assertFalse(server.isAlive());
  }

  @Test
  public void aServerThatEndsBeforeListeningFailsTheStartWithItsExitCodeAndOutput()
      throws Exception {
    Path log = tmp.getRoot().toPath().resolve("server.log");
    IOException e =
        assertThrows(
            IOException.class,
            () -> JobServerProcess.start(fake("end-early"), log, Duration.ofMinutes(2)));
    assertThat(e.getMessage(), containsString("exit code 7"));
    assertThat(e.getMessage(), containsString("cannot bind"));
  }

  @Test
  public void theServerEndsWhenTheJvmThatStartedItIsKilled() throws Exception {
    Path log = tmp.getRoot().toPath().resolve("server.log");
    Process parent =
        new ProcessBuilder(
                JobServerProcess.javaCommand(
                    List.of(),
                    classpath(),
                    StartsServerAndWaits.class.getName(),
                    List.of(classpath(), log.toString())))
            .redirectErrorStream(true)
            .start();
    long serverPid = -1;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.startsWith("SERVER_PID "));
      assertTrue("the parent JVM printed no server pid", line != null);
      serverPid = Long.parseLong(line.substring("SERVER_PID ".length()).strip());
      Optional<ProcessHandle> server = ProcessHandle.of(serverPid);
      assertTrue(server.isPresent() && server.get().isAlive());

      // SIGKILL: no shutdown hook runs in the parent, only the kernel closes its pipes.
      parent.destroyForcibly().waitFor(60, TimeUnit.SECONDS);

      server.get().onExit().get(60, TimeUnit.SECONDS);
      assertFalse(server.get().isAlive());
    } finally {
      parent.destroyForcibly();
      if (serverPid > 0) {
        ProcessHandle.of(serverPid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }
}
