package dev.weir.worker.control;

import java.util.HashMap;
import java.util.Map;

/** The {@code --name=value} arguments of Weir's process mains (worker, coordinator). */
public final class LaunchArguments {
  private LaunchArguments() {}

  /** Each argument's value by name; an argument not of the form {@code --name=value} is refused. */
  public static Map<String, String> parse(String[] argv) {
    Map<String, String> args = new HashMap<>();
    for (String arg : argv) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
      }
      args.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    return args;
  }
}
