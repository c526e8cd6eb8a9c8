package dev.weir.runner;

import dev.weir.translation.ExecutionPlan;
import dev.weir.worker.usercode.JobClassLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.SerializedLambda;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The files a job submitted to a cluster stages: {@code --filesToStage} when given; otherwise the
 * classpath entries (jars or class directories) that hold the job's own classes, found as the code
 * sources of the classes its serialized plan refers to, leaving out the JDK's and those the
 * workers share with it (Weir's, Beam's, gRPC's, ...; {@link JobClassLoader#parentFirst}). A
 * class directory is staged as a jar of its files.
 *
 * <p>The default finds the jars of classes the plan holds instances of (DoFns, coders, functions,
 * and the classes those were compiled with); a library the job only calls from inside its DoFns,
 * in a jar of its own, is not found: name every jar with {@code --filesToStage} then.
 */
final class JobJars {
  private JobJars() {}

  /** The files to stage for {@code plan}: existing jar files (class directories zipped). */
  static List<Path> toStage(ExecutionPlan plan, @Nullable List<String> filesToStage)
      throws IOException {
    Set<Path> entries = new LinkedHashSet<>();
    if (filesToStage != null) {
      for (String file : filesToStage) {
        if (file.isBlank()) {
          continue;
        }
        Path path = Paths.get(file);
        if (!Files.exists(path)) {
          throw new IllegalArgumentException("--filesToStage names " + file + ", which does not exist");
        }
        entries.add(path.toAbsolutePath());
      }
    } else {
      for (Class<?> c : classesOf(plan)) {
        Path location = location(c);
        if (location != null && !JobClassLoader.parentFirst(c.getName())) {
          entries.add(location);
        }
      }
    }
    List<Path> files = new ArrayList<>();
    for (Path entry : entries) {
      files.add(Files.isDirectory(entry) ? jarOf(entry) : entry);
    }
    return files;
  }

  /** Every class an object of the serialized plan is of, and the classes lambdas were written in. */
  static Set<Class<?>> classesOf(ExecutionPlan plan) {
    Set<Class<?>> classes = new LinkedHashSet<>();
    try (ObjectOutputStream out = new ClassRecordingStream(new ByteArrayOutputStream(), classes)) {
      out.writeObject(plan);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serialize the plan to find its classes", e);
    }
    return classes;
  }

  private static @Nullable Path location(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    URL url = source == null ? null : source.getLocation();
    if (url == null || !"file".equals(url.getProtocol())) {
      return null;
    }
    try {
      return Paths.get(url.toURI()).toAbsolutePath();
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /**
   * A jar of the files under {@code directory}, in name order with fixed timestamps: the same
   * classes give the same bytes, so a directory staged again is not uploaded again.
   */
  private static Path jarOf(Path directory) throws IOException {
    Path jar = Files.createTempFile("weir-staged-" + directory.getFileName() + "-", ".jar");
    jar.toFile().deleteOnExit();
    TreeSet<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(directory)) {
      files.filter(Files::isRegularFile)
          .forEach(f -> names.add(directory.relativize(f).toString().replace('\\', '/')));
    }
    try (OutputStream raw = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(raw)) {
      for (String name : names) {
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(0);
        zip.putNextEntry(entry);
        Files.copy(directory.resolve(name), zip);
        zip.closeEntry();
      }
    }
    return jar;
  }

  /** Serializes to nowhere, noting the class of every object written. */
  private static final class ClassRecordingStream extends ObjectOutputStream {
    private final Set<Class<?>> classes;

    ClassRecordingStream(OutputStream out, Set<Class<?>> classes) throws IOException {
      super(out);
      this.classes = classes;
      enableReplaceObject(true);
    }

    @Override
    protected void annotateClass(Class<?> c) {
      classes.add(c);
    }

    @Override
    protected Object replaceObject(Object obj) {
      if (obj instanceof SerializedLambda lambda) {
        String capturing = lambda.getCapturingClass().replace('/', '.');
        try {
          classes.add(Class.forName(capturing, false, Thread.currentThread().getContextClassLoader()));
        } catch (ClassNotFoundException | LinkageError e) {
          // Only a hint for what to stage; the lambda's own class is still recorded.
        }
      }
      return obj;
    }
  }
}
