package dev.weir.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Weir's version, as Maven built this module ({@code weir-version.properties}). */
public final class WeirVersion {
  private static final String VERSION = read();

  private WeirVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = WeirVersion.class.getResourceAsStream("weir-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
