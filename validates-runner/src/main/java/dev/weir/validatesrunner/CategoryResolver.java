package dev.weir.validatesrunner;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.experimental.categories.Category;

/**
 * Finds the Beam categories of a test by reflection: the {@code @Category} of its method, of
 * its class and superclasses, and of the classes it is nested in — the same places JUnit's
 * category filter looks at.
 *
 * <p>Classes are loaded without initialization: reading annotations must not run the suite's
 * static initializers.
 */
public final class CategoryResolver {

  /**
   * Categories that mean "unbounded input". UsesTestStream and its variants extend
   * UsesUnboundedPCollections, which the closure over super-interfaces catches; they are listed
   * anyway so that this does not depend on Beam keeping that hierarchy.
   */
  static final Set<String> UNBOUNDED =
      Set.of(
          "UsesUnboundedPCollections",
          "UsesUnboundedSplittableParDo",
          "UsesTestStream",
          "UsesTestStreamWithProcessingTime",
          "UsesTestStreamWithMultipleStages",
          "UsesTestStreamWithOutputTimestamp");

  private static final String VALIDATES_RUNNER = "org.apache.beam.sdk.testing.ValidatesRunner";

  /** Categories every test here has; listing them per test says nothing. */
  static final Set<String> UNINFORMATIVE = Set.of("ValidatesRunner", "NeedsRunner");

  private final ClassLoader loader;
  private final Map<TestId, Set<Class<?>>> cache = new HashMap<>();

  public CategoryResolver(ClassLoader loader) {
    this.loader = loader;
  }

  /**
   * Simple names (nested ones as {@code LargeKeys$Above100MB}) of the categories the test
   * declares, without ValidatesRunner/NeedsRunner. Empty if the class cannot be found.
   */
  public Set<String> declaredCategories(TestId id) {
    Set<String> names = new TreeSet<>();
    for (Class<?> category : declared(id)) {
      String name = simpleName(category);
      if (!UNINFORMATIVE.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /** Whether the test, by a declared category or one it extends, reads unbounded input. */
  public boolean usesUnboundedInput(TestId id) {
    for (Class<?> category : declared(id)) {
      for (Class<?> implied : withSuperInterfaces(category)) {
        if (UNBOUNDED.contains(simpleName(implied))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether the test belongs to the ValidatesRunner group: a declared category is
   * ValidatesRunner or extends it, as JUnit's category filter decides. Other tests of the
   * NeedsRunner group (Beam's IO and transform tests) are not.
   */
  public boolean isValidatesRunner(TestId id) {
    for (Class<?> category : declared(id)) {
      for (Class<?> implied : withSuperInterfaces(category)) {
        if (VALIDATES_RUNNER.equals(implied.getName())) {
          return true;
        }
      }
    }
    return false;
  }

  private Set<Class<?>> declared(TestId id) {
    return cache.computeIfAbsent(id, this::resolve);
  }

  private Set<Class<?>> resolve(TestId id) {
    Set<Class<?>> categories = new LinkedHashSet<>();
    Class<?> testClass;
    try {
      testClass = Class.forName(id.className(), false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return categories;
    }
    Method method = findMethod(testClass, id.method());
    if (method != null) {
      addCategories(method.getAnnotations(), categories);
    }
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      for (Class<?> s = c; s != null && s != Object.class; s = s.getSuperclass()) {
        addCategories(s.getDeclaredAnnotations(), categories);
      }
    }
    return categories;
  }

  private static Method findMethod(Class<?> testClass, String name) {
    for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
      try {
        for (Method method : c.getDeclaredMethods()) {
          if (method.getName().equals(name)) {
            return method;
          }
        }
      } catch (LinkageError e) {
        return null; // a class whose methods name a missing class: keep the class's categories
      }
    }
    return null;
  }

  private static void addCategories(Annotation[] annotations, Set<Class<?>> into) {
    for (Annotation annotation : annotations) {
      if (annotation instanceof Category category) {
        for (Class<?> value : category.value()) {
          into.add(value);
        }
      }
    }
  }

  private static Set<Class<?>> withSuperInterfaces(Class<?> category) {
    Set<Class<?>> all = new LinkedHashSet<>();
    Deque<Class<?>> todo = new ArrayDeque<>();
    todo.add(category);
    while (!todo.isEmpty()) {
      Class<?> next = todo.poll();
      if (all.add(next)) {
        for (Class<?> parent : next.getInterfaces()) {
          todo.add(parent);
        }
      }
    }
    return all;
  }

  /** {@code LargeKeys$Above100MB} rather than {@code Above100MB}: nested names are ambiguous. */
  static String simpleName(Class<?> type) {
    String name = type.getName();
    return name.substring(name.lastIndexOf('.') + 1);
  }
}
