package dev.weir.worker.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code weir-security init DIR} writes a cluster's credentials owner-only, never over existing
 * ones, and they read back as they were written.
 */
public class SecurityInitTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void writesFourOwnerOnlyFilesThatReadBackAsTheCredentials() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("cluster");
    SecurityInit.run(new String[] {"init", dir.toString()});
    for (String name :
        new String[] {
          ClusterCredentials.CA_FILE,
          ClusterCredentials.CERTIFICATE_FILE,
          ClusterCredentials.KEY_FILE,
          ClusterCredentials.SECRET_FILE
        }) {
      assertEquals(
          name,
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))));
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    ClusterCredentials read = ClusterCredentials.read(dir);
    // The node certificate is the CA's, and the key is the certificate's.
    read.certificate().verify(read.ca().getPublicKey());
    assertEquals(64, read.secret().length());
    java.security.Signature signature = java.security.Signature.getInstance("SHA256withECDSA");
    signature.initSign(read.key());
    signature.update(new byte[] {1, 2, 3});
    byte[] signed = signature.sign();
    signature.initVerify(read.certificate());
    signature.update(new byte[] {1, 2, 3});
    assertTrue(signature.verify(signed));
  }

  @Test
  public void refusesToOverwriteExistingCredentials() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("cluster");
    SecurityInit.run(new String[] {"init", dir.toString()});
    String secret = ClusterCredentials.read(dir).secret();
    assertThrows(
        FileAlreadyExistsException.class,
        () -> SecurityInit.run(new String[] {"init", dir.toString()}));
    assertEquals(secret, ClusterCredentials.read(dir).secret());
  }

  @Test
  public void twoClustersHaveDifferentSecretsAndCas() throws IOException {
    Path a = tmp.getRoot().toPath().resolve("a");
    Path b = tmp.getRoot().toPath().resolve("b");
    SecurityInit.run(new String[] {"init", a.toString(), "--days=30"});
    SecurityInit.run(new String[] {"init", b.toString()});
    assertNotEquals(ClusterCredentials.read(a).secret(), ClusterCredentials.read(b).secret());
    assertNotEquals(ClusterCredentials.read(a).ca(), ClusterCredentials.read(b).ca());
  }

  @Test
  public void aMissingFileIsNamedWithHowToCreateTheDirectory() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("cluster");
    SecurityInit.run(new String[] {"init", dir.toString()});
    Files.delete(dir.resolve(ClusterCredentials.SECRET_FILE));
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> ClusterCredentials.read(dir));
    String message = e.getMessage() + " / " + e.getCause().getMessage();
    assertTrue(message, message.contains(ClusterCredentials.SECRET_FILE));
    assertTrue(message, message.contains("weir-security init DIR"));
  }

  @Test
  public void badArgumentsAreRefusedWithTheirText() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SecurityInit.run(new String[] {"init", "/tmp/x", "--days=zero"}));
    assertTrue(e.getMessage(), e.getMessage().contains("--days=zero"));
    assertThrows(IllegalArgumentException.class, () -> SecurityInit.run(new String[] {"make"}));
  }
}
