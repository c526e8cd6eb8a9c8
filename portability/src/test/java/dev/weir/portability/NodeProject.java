package dev.weir.portability;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;

/**
 * A node project of the test resources copied into {@code target/NAME} with its packages installed
 * from the npm registry ({@code npm ci} with the resources' lock file). Tests that use one are
 * skipped, saying so, where {@code node} or {@code npm} is not on the PATH.
 */
final class NodeProject {
  private static final long NPM_CI_MINUTES = 10;

  private final Path directory;

  private NodeProject(Path directory) {
    this.directory = directory;
  }

  /**
   * The project of resource directory {@code /name/} (its {@code files}, which include
   * package.json and package-lock.json), installed; {@code npm ci} is skipped when the same lock
   * file is installed there already.
   */
  static NodeProject install(String name, List<String> files) throws Exception {
    Assume.assumeTrue("node is not on the PATH: no TypeScript SDK test can run", onPath("node"));
    Assume.assumeTrue("npm is not on the PATH: the TypeScript SDK cannot be installed", onPath("npm"));
    Path directory = Paths.get("target", name).toAbsolutePath();
    Files.createDirectories(directory);
    boolean changed = false;
    for (String file : files) {
      byte[] wanted;
      try (InputStream in = NodeProject.class.getResourceAsStream("/" + name + "/" + file)) {
        wanted = in.readAllBytes();
      }
      Path there = directory.resolve(file);
      if (!Files.exists(there) || !Arrays.equals(wanted, Files.readAllBytes(there))) {
        Files.write(there, wanted);
        changed |= file.equals("package-lock.json");
      }
    }
    NodeProject project = new NodeProject(directory);
    // npm ci starts from an empty node_modules, which takes a while.
    if (changed || !Files.isRegularFile(directory.resolve("node_modules/.package-lock.json"))) {
      Path log = directory.resolve("npm-ci.log");
      int exit = project.run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), log, NPM_CI_MINUTES);
      assertEquals("npm ci failed; see " + log, 0, exit);
    }
    return project;
  }

  Path directory() {
    return directory;
  }

  /**
   * Runs {@code command} in the project's directory with {@code environment} added, its output to
   * {@code log}; its exit code. Fails if it runs longer than {@code minutes}.
   */
  int run(List<String> command, Map<String, String> environment, Path log, long minutes)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    try {
      if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
        throw new AssertionError(command + " still running after " + minutes + " min; see " + log);
      }
      return process.exitValue();
    } finally {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
