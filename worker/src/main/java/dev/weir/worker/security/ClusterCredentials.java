package dev.weir.worker.security;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a member of one Weir cluster proves itself with: the cluster CA's certificate (the only
 * issuer it trusts), its own certificate and private key (signed by that CA), and the cluster's
 * shared secret. Immutable.
 *
 * <p>On disk (a {@code --securityDir}), as {@link SecurityInit} writes it: {@value #CA_FILE},
 * {@value #CERTIFICATE_FILE} and {@value #KEY_FILE} in PEM, {@value #SECRET_FILE} as one line of
 * hex, each readable by its owner only.
 */
public final class ClusterCredentials {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterCredentials.class);

  public static final String CA_FILE = "ca.crt";
  public static final String CERTIFICATE_FILE = "node.crt";
  public static final String KEY_FILE = "node.key";
  public static final String SECRET_FILE = "cluster.secret";

  /**
   * The name in every node certificate, and the authority every Weir channel dials with: a node is
   * whoever holds a certificate of the cluster CA, whatever address it listens on.
   */
  public static final String NODE_NAME = "weir-node";

  private static final int SECRET_BYTES = 32;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private final X509Certificate ca;
  private final X509Certificate certificate;
  private final PrivateKey key;
  private final String secret;

  ClusterCredentials(X509Certificate ca, X509Certificate certificate, PrivateKey key, String secret) {
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("the cluster secret must not be empty");
    }
    this.ca = ca;
    this.certificate = certificate;
    this.key = key;
    this.secret = secret;
  }

  /**
   * A new CA, a node certificate valid for {@code validity} and a random secret: a cluster of its
   * own, which trusts nobody else.
   */
  public static ClusterCredentials generate(Duration validity) {
    CertificateAuthority ca = CertificateAuthority.create("Weir cluster", validity);
    byte[] secret = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(secret);
    return ca.issue(NODE_NAME, validity, HexFormat.of().formatHex(secret));
  }

  /** The same certificates with another secret (tests of a wrong secret). */
  public ClusterCredentials withSecret(String otherSecret) {
    return new ClusterCredentials(ca, certificate, key, otherSecret);
  }

  /** This node's certificate and key with {@code other}'s CA and secret. */
  public ClusterCredentials trusting(ClusterCredentials other) {
    return new ClusterCredentials(other.ca, certificate, key, other.secret);
  }

  /** Reads the files {@link #write} wrote; a missing one is named in the exception. */
  public static ClusterCredentials read(Path dir) {
    try {
      X509Certificate ca = readCertificate(file(dir, CA_FILE));
      X509Certificate certificate = readCertificate(file(dir, CERTIFICATE_FILE));
      PrivateKey key = readKey(file(dir, KEY_FILE));
      String secret = Files.readString(file(dir, SECRET_FILE), StandardCharsets.US_ASCII).trim();
      warnIfOthersCanRead(dir.resolve(KEY_FILE));
      warnIfOthersCanRead(dir.resolve(SECRET_FILE));
      return new ClusterCredentials(ca, certificate, key, secret);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Weir security directory " + dir, e);
    }
  }

  /**
   * Writes the four files into {@code dir} (created if absent), readable by the owner only; refuses
   * to overwrite any of them.
   */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : new String[] {CA_FILE, CERTIFICATE_FILE, KEY_FILE, SECRET_FILE}) {
      if (Files.exists(dir.resolve(name))) {
        throw new FileAlreadyExistsException(
            dir.resolve(name).toString(), null, "refusing to overwrite cluster credentials");
      }
    }
    writeOwnerOnly(dir.resolve(CA_FILE), pem(ca));
    writeOwnerOnly(dir.resolve(CERTIFICATE_FILE), pem(certificate));
    writeOwnerOnly(dir.resolve(KEY_FILE), pem(new JcaPKCS8Generator(key, null)));
    writeOwnerOnly(dir.resolve(SECRET_FILE), secret + "\n");
  }

  public X509Certificate ca() {
    return ca;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  PrivateKey key() {
    return key;
  }

  String secret() {
    return secret;
  }

  private static Path file(Path dir, String name) throws NoSuchFileException {
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(),
          null,
          "missing from the Weir security directory; create one with weir-security init DIR");
    }
    return file;
  }

  private static X509Certificate readCertificate(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(in)) {
      Object read = parser.readObject();
      if (!(read instanceof X509CertificateHolder holder)) {
        throw new IOException(file + " holds no PEM certificate");
      }
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new IOException(file + " holds no valid certificate", e);
    }
  }

  private static PrivateKey readKey(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(in)) {
      Object read = parser.readObject();
      if (!(read instanceof PrivateKeyInfo info)) {
        throw new IOException(file + " holds no unencrypted PKCS#8 private key");
      }
      return new JcaPEMKeyConverter().getPrivateKey(info);
    }
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  /** Created with owner-only permissions, so the key is never readable by others, even briefly. */
  private static void writeOwnerOnly(Path file, String content) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file); // not a POSIX file system
    }
    Files.writeString(
        file, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static void warnIfOthersCanRead(Path file) throws IOException {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.GROUP_READ)
          || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn(
            "{} is readable by others ({}): whoever reads it can join this Weir cluster;"
                + " chmod 600 it",
            file,
            PosixFilePermissions.toString(permissions));
      }
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: nothing to check.
    }
  }
}
