package dev.weir.worker.usercode;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one job on one worker, over the jars the job staged. Child-first for the
 * job's own classes, so two jobs with different versions of one class each see their own; but the
 * classes the job shares with Weir (the JDK's, Beam's, Weir's, gRPC's and protobuf's, and the
 * types Beam's API exposes: Joda-Time, SLF4J, Jackson's annotations) always come from the parent,
 * or a job's DoFn would not be a {@code DoFn} to Weir's operators. A shared class a staged jar also
 * holds (a fat jar) is still taken from the parent; one the parent lacks is taken from the jar.
 */
public final class JobClassLoader extends URLClassLoader {
  static {
    ClassLoader.registerAsParallelCapable();
  }

  private static final List<String> PARENT_FIRST =
      List.of(
          "java.",
          "javax.",
          "jdk.",
          "sun.",
          "com.sun.",
          "org.w3c.",
          "org.xml.",
          "org.ietf.",
          "org.apache.beam.",
          "dev.weir.runner.",
          "dev.weir.worker.",
          "dev.weir.translation.",
          "dev.weir.state.",
          "dev.weir.checkpoint.",
          "io.grpc.",
          "com.google.protobuf.",
          "org.joda.time.",
          "org.slf4j.",
          "com.fasterxml.jackson.",
          "org.checkerframework.");

  private final String jobId;

  public JobClassLoader(String jobId, List<URL> jars, ClassLoader parent) {
    super("weir-job-" + jobId, jars.toArray(new URL[0]), parent);
    this.jobId = jobId;
  }

  public String jobId() {
    return jobId;
  }

  /** Whether {@code className} is one the job shares with Weir, taken from the parent first. */
  public static boolean parentFirst(String className) {
    for (String prefix : PARENT_FIRST) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        if (parentFirst(name)) {
          try {
            loaded = getParent().loadClass(name);
          } catch (ClassNotFoundException e) {
            loaded = findClass(name);
          }
        } else {
          try {
            loaded = findClass(name);
          } catch (ClassNotFoundException e) {
            loaded = getParent().loadClass(name);
          }
        }
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  @Override
  public URL getResource(String name) {
    String asClass = name.replace('/', '.');
    if (parentFirst(asClass)) {
      URL url = getParent().getResource(name);
      return url != null ? url : findResource(name);
    }
    URL url = findResource(name);
    return url != null ? url : getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    // The job's own first, then the parent's (service files of both are seen).
    List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
    all.addAll(Collections.list(getParent().getResources(name)));
    return Collections.enumeration(all);
  }

  @Override
  public String toString() {
    return "JobClassLoader[" + jobId + "]";
  }
}
