package dev.weir.runner.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A jar of user classes compiled in the test from source (with javax.tools), against this test's
 * class path: a job's own code that no Weir process has on its class path, as a user's jar is.
 */
final class UserJar {
  private final Path jar;

  private UserJar(Path jar) {
    this.jar = jar;
  }

  /**
   * Compiles {@code source}, the public class {@code className} (in a package), into a jar under
   * {@code directory}.
   */
  static UserJar compile(Path directory, String className, String source) throws IOException {
    Files.createDirectories(directory);
    Path sources = Files.createTempDirectory(directory, "src");
    Path classes = Files.createTempDirectory(directory, "classes");
    Path file = sources.resolve(className.replace('.', '/') + ".java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, source, StandardCharsets.UTF_8);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("This test needs a JDK (javax.tools found no compiler)");
    }
    int status =
        javac.run(
            null,
            null,
            null,
            "-d",
            classes.toString(),
            "-classpath",
            System.getProperty("java.class.path"),
            "--release",
            "17",
            "-proc:none",
            file.toString());
    if (status != 0) {
      throw new IllegalStateException("javac failed on " + className + " (status " + status + ")");
    }
    Path jar = Files.createTempFile(directory, className.replace('.', '-') + "-", ".jar");
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(classes)) {
      walk.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream zip = new JarOutputStream(out)) {
      for (Path f : files) {
        zip.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, zip);
        zip.closeEntry();
      }
    }
    return new UserJar(jar);
  }

  Path path() {
    return jar;
  }

  /** A loader over the jar below this test's loader: how the client gets at the job's classes. */
  URLClassLoader loader() throws IOException {
    return new URLClassLoader(new URL[] {jar.toUri().toURL()}, UserJar.class.getClassLoader());
  }
}
