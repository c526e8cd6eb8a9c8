package dev.weir.worker.control;

import java.util.HashMap;
import java.util.Map;

/** The {@code --name=value} arguments of Weir's process mains (worker, coordinator). */
public final class LaunchArguments {
  private LaunchArguments() {}

  /**
   * Each argument's value by name; a bare {@code --flag} (such as {@code --insecure}) means {@code
   * --flag=true}. An argument not starting with {@code --} is refused.
   */
  public static Map<String, String> parse(String[] argv) {
    Map<String, String> args = new HashMap<>();
    for (String arg : argv) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || arg.length() == 2 || eq == 2) {
        throw new IllegalArgumentException("expected --name=value or --flag, got '" + arg + "'");
      }
      if (eq < 0) {
        args.put(arg.substring(2), "true");
        continue;
      }
      args.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    return args;
  }
}
