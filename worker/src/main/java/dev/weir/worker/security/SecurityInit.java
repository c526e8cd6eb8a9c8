package dev.weir.worker.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * {@code weir-security init DIR [--days=N]}: creates the credentials of a new Weir cluster in
 * {@code DIR} (a new CA, one node certificate that the coordinator, the workers and submitting
 * clients all present, and a random secret), each file readable by its owner only. Copy the
 * directory to every machine of the cluster and pass it as {@code --securityDir=DIR}. The CA's
 * private key is not kept: to add or replace a member's credentials, make a new directory and hand
 * it to all of them.
 */
public final class SecurityInit {
  static final int DEFAULT_DAYS = 3650;

  private SecurityInit() {}

  public static void main(String[] argv) throws IOException {
    try {
      Path dir = run(argv);
      System.out.println(
          "Wrote the credentials of a new Weir cluster to "
              + dir
              + " ("
              + String.join(
                  ", ",
                  ClusterCredentials.CA_FILE,
                  ClusterCredentials.CERTIFICATE_FILE,
                  ClusterCredentials.KEY_FILE,
                  ClusterCredentials.SECRET_FILE)
              + "); pass --securityDir="
              + dir
              + " to the coordinator, every worker and every client that submits jobs.");
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: weir-security init DIR [--days=" + DEFAULT_DAYS + "]");
      System.exit(2);
    }
  }

  /** Does what {@link #main} does; returns the directory written. */
  static Path run(String[] argv) throws IOException {
    if (argv.length < 2 || !"init".equals(argv[0])) {
      throw new IllegalArgumentException("expected: init DIR");
    }
    Path dir = Paths.get(argv[1]);
    int days = DEFAULT_DAYS;
    for (int i = 2; i < argv.length; i++) {
      if (!argv[i].startsWith("--days=")) {
        throw new IllegalArgumentException("unknown argument '" + argv[i] + "'");
      }
      try {
        days = Integer.parseInt(argv[i].substring("--days=".length()));
      } catch (NumberFormatException e) {
        days = -1;
      }
      if (days < 1) {
        throw new IllegalArgumentException("--days must be a whole number >= 1: " + argv[i]);
      }
    }
    if (!Files.exists(dir)) {
      try {
        Files.createDirectories(
            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(dir);
      }
    }
    ClusterCredentials.generate(Duration.ofDays(days)).write(dir);
    return dir;
  }
}
