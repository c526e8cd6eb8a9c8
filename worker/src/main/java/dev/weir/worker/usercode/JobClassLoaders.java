package dev.weir.worker.usercode;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The class loaders of the jobs running on one worker. A job that staged jars gets a {@link
 * JobClassLoader} over them when its first subtask here starts; every subtask of the job here
 * uses that loader; it is closed (its jars released, the job's entries evicted from Beam's
 * class-keyed caches) when the last one ends, so a worker that runs many jobs does not keep their
 * classes. A job that staged nothing runs with the worker's own classes, as the embedded cluster's
 * jobs do.
 */
public final class JobClassLoaders {
  private static final Logger LOG = LoggerFactory.getLogger(JobClassLoaders.class);

  private final ClassLoader parent;
  private final @Nullable ArtifactCache cache;

  // Guarded by this.
  private final Map<String, Holder> jobs = new HashMap<>();

  private static final class Holder {
    // Guarded by JobClassLoaders.this.
    int users;
    // Guarded by this holder.
    @Nullable JobClassLoader loader;
  }

  /** Loaders over the artifacts {@code cache} holds or fetches, below {@code parent}. */
  public JobClassLoaders(ClassLoader parent, @Nullable ArtifactCache cache) {
    this.parent = parent;
    this.cache = cache;
  }

  /** For a worker that runs only jobs whose classes it has (an embedded cluster's). */
  public static JobClassLoaders withoutArtifacts() {
    return new JobClassLoaders(JobClassLoaders.class.getClassLoader(), null);
  }

  /**
   * The class loader of {@code jobId}'s user code, counting one more subtask of the job that uses
   * it; each call is paired with a {@link #release}. Fetches the job's artifacts first if this
   * worker has not cached them.
   *
   * @param contextLoader the loader a job without artifacts runs with
   */
  public ClassLoader acquire(String jobId, List<JobArtifact> artifacts, ClassLoader contextLoader)
      throws IOException {
    if (artifacts.isEmpty()) {
      return contextLoader;
    }
    Holder holder;
    synchronized (this) {
      holder = jobs.computeIfAbsent(jobId, id -> new Holder());
      holder.users++;
    }
    try {
      synchronized (holder) {
        if (holder.loader == null) {
          holder.loader = open(jobId, artifacts);
        }
        return holder.loader;
      }
    } catch (IOException | RuntimeException e) {
      release(jobId, artifacts);
      throw e;
    }
  }

  /** One subtask of {@code jobId} that {@linkplain #acquire acquired} its loader has ended. */
  public void release(String jobId, List<JobArtifact> artifacts) {
    if (artifacts.isEmpty()) {
      return;
    }
    Holder holder;
    synchronized (this) {
      holder = jobs.get(jobId);
      if (holder == null || --holder.users > 0) {
        return;
      }
      jobs.remove(jobId);
    }
    synchronized (holder) {
      if (holder.loader != null) {
        close(holder.loader);
        holder.loader = null;
        if (cache != null) {
          for (JobArtifact artifact : artifacts) {
            cache.release(artifact);
          }
        }
      }
    }
  }

  /**
   * Threads started while the job's code ran inherit its loader as their context class loader:
   * gRPC's and Netty's pooled threads, started on demand by whichever thread first needs them
   * (often a subtask's), outlive the job and would keep its loader and classes for good. Those
   * threads get the worker's loader back. A thread the job's own code started and left running is
   * named in the log: it keeps the job's classes until it ends.
   */
  private void releaseThreads(JobClassLoader loader) {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() * 2 + 16];
    int n = root.enumerate(threads, true);
    for (int i = 0; i < n; i++) {
      Thread thread = threads[i];
      if (thread == Thread.currentThread() || thread.getContextClassLoader() != loader) {
        continue;
      }
      thread.setContextClassLoader(parent);
      if (thread.getClass().getClassLoader() == loader) {
        LOG.warn(
            "Job {} left its thread {} running; the job's classes stay loaded until it ends",
            loader.jobId(),
            thread.getName());
      }
    }
  }

  /** Jobs that have a loader open on this worker now. */
  public synchronized int openLoaders() {
    return jobs.size();
  }

  private JobClassLoader open(String jobId, List<JobArtifact> artifacts) throws IOException {
    if (cache == null) {
      throw new IllegalStateException(
          "Job "
              + jobId
              + " staged "
              + artifacts
              + " but this worker cannot fetch artifacts (it runs only jobs whose classes it has)");
    }
    List<URL> jars = new ArrayList<>();
    List<JobArtifact> acquired = new ArrayList<>();
    try {
      for (JobArtifact artifact : artifacts) {
        Path file = cache.acquire(artifact);
        acquired.add(artifact);
        jars.add(file.toUri().toURL());
      }
    } catch (IOException | RuntimeException e) {
      acquired.forEach(cache::release);
      throw e;
    }
    LOG.info("Job {}: class loader over {}", jobId, artifacts);
    JobClassLoader loader = new JobClassLoader(jobId, jars, parent);
    // Looking for a resource no jar has opens every jar now: a jar evicted from the cache later
    // (by a worker sharing its directory) stays readable to this loader, as an open file does.
    loader.findResource("META-INF/weir-opens-every-jar-of-the-job");
    return loader;
  }

  private void close(JobClassLoader loader) {
    BeamClassCaches.evict(loader);
    releaseThreads(loader);
    try {
      loader.close();
    } catch (IOException e) {
      LOG.warn("Cannot close the class loader of job {}", loader.jobId(), e);
    }
    LOG.info("Job {}: class loader closed", loader.jobId());
  }
}
