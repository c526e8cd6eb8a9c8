package dev.weir.validatesrunner.portable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A JVM that starts a fake job server, prints its pid and then waits to be killed: the parent
 * whose death the server must not outlive.
 */
public final class StartsServerAndWaits {
  private StartsServerAndWaits() {}

  public static void main(String[] args) throws Exception {
    JobServerProcess server =
        JobServerProcess.start(
            JobServerProcess.javaCommand(
                List.of(), args[0], FakeJobServer.class.getName(), List.of("4243")),
            Path.of(args[1]),
            Duration.ofMinutes(2));
    System.out.println("SERVER_PID " + server.process().pid());
    Thread.sleep(Long.MAX_VALUE);
  }
}
