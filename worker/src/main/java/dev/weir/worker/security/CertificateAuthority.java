package dev.weir.worker.security;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A fresh certificate authority of one Weir cluster, which signs the cluster's node certificate.
 * Keys are EC P-256: generating them takes about a millisecond, where RSA-2048 takes a hundred, and
 * the embedded cluster makes a CA at every start.
 */
final class CertificateAuthority {
  private static final String SIGNATURE = "SHA256withECDSA";
  /** Accepts peers whose clocks run a little behind this one's. */
  private static final Duration CLOCK_SKEW = Duration.ofHours(1);

  private final KeyPair keys;
  private final X509Certificate certificate;
  private final SecureRandom random;

  private CertificateAuthority(KeyPair keys, X509Certificate certificate, SecureRandom random) {
    this.keys = keys;
    this.certificate = certificate;
    this.random = random;
  }

  /** A self-signed CA named after {@code clusterName} and a random id, valid for {@code validity}. */
  static CertificateAuthority create(String clusterName, Duration validity) {
    SecureRandom random = new SecureRandom();
    KeyPair keys = ecKeys(random);
    X500Name name = new X500Name("CN=" + clusterName + " CA " + UUID.randomUUID() + ",O=Weir");
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            new BigInteger(128, random),
            Date.from(now.minus(CLOCK_SKEW)),
            Date.from(now.plus(validity)),
            name,
            keys.getPublic());
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot build the CA certificate", e);
    }
    return new CertificateAuthority(keys, sign(builder, keys), random);
  }

  X509Certificate certificate() {
    return certificate;
  }

  /**
   * Credentials of a cluster member with {@code secret}: a new key pair and its certificate, good
   * for both ends of a TLS connection (server and client authentication), with {@code dnsName} as
   * its subject alternative name: channels dial with that name as their authority, so hostname
   * verification checks the cluster's name, not an address.
   */
  ClusterCredentials issue(String dnsName, Duration validity, String secret) {
    KeyPair node = ecKeys(random);
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            certificate,
            new BigInteger(128, random),
            Date.from(now.minus(CLOCK_SKEW)),
            Date.from(now.plus(validity)),
            new X500Name("CN=" + dnsName + ",O=Weir"),
            node.getPublic());
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot build the node certificate", e);
    }
    return new ClusterCredentials(certificate, sign(builder, keys), node.getPrivate(), secret);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) {
    try {
      ContentSigner contentSigner =
          new JcaContentSignerBuilder(SIGNATURE).build(signer.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a certificate", e);
    }
  }

  private static KeyPair ecKeys(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate EC P-256 keys", e);
    }
  }
}
