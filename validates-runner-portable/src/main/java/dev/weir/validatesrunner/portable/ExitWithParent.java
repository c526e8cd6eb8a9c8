package dev.weir.validatesrunner.portable;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The job server's main, wrapped so that the server dies with the JVM that started it: that JVM
 * holds the other end of this process's standard input, and the kernel closes it however that
 * JVM ends (also {@code kill -9}, or the suite's watchdog halting it, when no shutdown hook
 * runs). End of input here ends this process.
 *
 * <p>Arguments: the main class to run, then its arguments. Runs on the job server's classpath,
 * so it uses the JDK only.
 */
public final class ExitWithParent {

  /** How long the wrapped main's shutdown hooks get before the process is halted. */
  private static final long EXIT_GRACE_MILLIS = 15_000;

  private ExitWithParent() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: ExitWithParent MAIN_CLASS [ARGS...]");
    }
    Thread watch = new Thread(() -> exitAtEndOfInput(System.in), "exit-with-parent");
    watch.setDaemon(true);
    watch.start();
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }

  private static void exitAtEndOfInput(InputStream in) {
    try {
      while (in.read() >= 0) {
        // The parent never writes; anything it does is ignored.
      }
    } catch (IOException e) {
      // A broken pipe means the same as end of input.
    }
    Thread halt =
        new Thread(
            () -> {
              try {
                Thread.sleep(EXIT_GRACE_MILLIS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(2);
            },
            "exit-with-parent-halt");
    halt.setDaemon(true);
    halt.start();
    System.exit(0);
  }
}
