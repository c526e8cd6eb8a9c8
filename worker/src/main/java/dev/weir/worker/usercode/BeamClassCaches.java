package dev.weir.worker.usercode;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beam keeps process-wide caches keyed by a DoFn's class (the DoFn's parsed signature, the
 * constructor of its generated invoker) and never drops an entry. Each entry holds a job's class
 * and so its class loader: a worker that runs many jobs would keep every job's classes. When a
 * job's loader closes, its entries are removed here. Beam has no public way to do that, so the
 * fields are reached by reflection; should a Beam version rename them, nothing is evicted, a
 * warning says so, and the job's classes stay loaded (a leak, not a failure).
 */
final class BeamClassCaches {
  private static final Logger LOG = LoggerFactory.getLogger(BeamClassCaches.class);

  private BeamClassCaches() {}

  static void evict(ClassLoader jobLoader) {
    try {
      Class<?> signatures =
          Class.forName("org.apache.beam.sdk.transforms.reflect.DoFnSignatures");
      removeClassesOf(jobLoader, staticMap(signatures, "signatureCache"));
      Class<?> invokers =
          Class.forName("org.apache.beam.sdk.transforms.reflect.ByteBuddyDoFnInvokerFactory");
      Method only = invokers.getDeclaredMethod("only");
      only.setAccessible(true);
      Object factory = only.invoke(null);
      removeClassesOf(jobLoader, map(invokers, factory, "byteBuddyInvokerConstructorCache"));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "Cannot evict the classes of {} from Beam's DoFn caches; they stay loaded: {}",
          jobLoader,
          e.toString());
    }
  }

  private static Map<?, ?> staticMap(Class<?> owner, String field)
      throws ReflectiveOperationException {
    return map(owner, null, field);
  }

  private static Map<?, ?> map(Class<?> owner, Object instance, String field)
      throws ReflectiveOperationException {
    Field f = owner.getDeclaredField(field);
    f.setAccessible(true);
    return (Map<?, ?>) f.get(instance);
  }

  private static void removeClassesOf(ClassLoader jobLoader, Map<?, ?> cache) {
    cache.keySet().removeIf(key -> key instanceof Class<?> c && loadedBy(c, jobLoader));
  }

  private static boolean loadedBy(Class<?> c, ClassLoader jobLoader) {
    for (ClassLoader l = c.getClassLoader(); l != null; l = l.getParent()) {
      if (l == jobLoader) {
        return true;
      }
    }
    return false;
  }
}
