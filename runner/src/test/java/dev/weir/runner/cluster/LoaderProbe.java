package dev.weir.runner.cluster;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Where user code compiled in a test (a {@link UserJar}) records the class loader it runs in. The
 * class is Weir's (a {@code dev.weir.runner} package), so a job's class loader takes it from the
 * worker's class path and every job records into the same list; the references are weak, so the
 * list itself keeps no job's classes alive.
 */
public final class LoaderProbe {
  private static final List<WeakReference<ClassLoader>> SEEN = new ArrayList<>();

  private LoaderProbe() {}

  /** Called by user code in its {@code @Setup}. */
  public static synchronized void seen(ClassLoader loader) {
    for (WeakReference<ClassLoader> ref : SEEN) {
      if (ref.get() == loader) {
        return;
      }
    }
    SEEN.add(new WeakReference<>(loader));
  }

  /** The distinct loaders seen so far, collected or not. */
  static synchronized int seenCount() {
    return SEEN.size();
  }

  /** Those still reachable. */
  static synchronized int alive() {
    int alive = 0;
    for (WeakReference<ClassLoader> ref : SEEN) {
      if (ref.get() != null) {
        alive++;
      }
    }
    return alive;
  }

  static synchronized void clear() {
    SEEN.clear();
  }
}
