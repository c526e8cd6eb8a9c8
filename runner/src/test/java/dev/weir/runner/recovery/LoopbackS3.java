package dev.weir.runner.recovery;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3 endpoint on loopback for tests: S3Proxy in this JVM with a local directory as its blob
 * store and one bucket, and the S3A settings that reach it, as properties or as a {@code
 * core-site.xml} for other JVMs' class paths. {@link #close} stops the proxy.
 */
final class LoopbackS3 implements AutoCloseable {
  private static final String ACCESS_KEY = "weir-access";
  private static final String SECRET_KEY = "weir-secret";
  private static final long START_TIMEOUT_SECONDS = 60;

  private final String bucket;
  private final BlobStoreContext blobStore;
  private final S3Proxy proxy;

  private LoopbackS3(String bucket, BlobStoreContext blobStore, S3Proxy proxy) {
    this.bucket = bucket;
    this.blobStore = blobStore;
    this.proxy = proxy;
  }

  /** Starts S3Proxy on a free loopback port, its objects under {@code blobs}, with {@code bucket}. */
  static LoopbackS3 start(Path blobs, String bucket) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", blobs.toAbsolutePath().toString());
    BlobStoreContext blobStore =
        ContextBuilder.newBuilder("filesystem")
            .credentials("identity", "credential")
            .overrides(properties)
            .build(BlobStoreContext.class);
    S3Proxy proxy = null;
    try {
      blobStore.getBlobStore().createContainerInLocation(null, bucket);
      proxy =
          S3Proxy.builder()
              .blobStore(blobStore.getBlobStore())
              .endpoint(URI.create("http://127.0.0.1:0"))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
              .build();
      proxy.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy not started after 60 s: " + proxy.getState());
        }
        Thread.sleep(10);
      }
      return new LoopbackS3(bucket, blobStore, proxy);
    } catch (Exception e) {
      if (proxy != null) {
        proxy.stop();
      }
      blobStore.close();
      throw e;
    }
  }

  /** {@code s3a://<bucket>/<path>}. */
  URI uri(String path) {
    return URI.create("s3a://" + bucket + "/" + path);
  }

  /**
   * S3A pointed at the proxy: path-style requests over plain HTTP with fixed credentials. Deletes
   * go one object at a time: S3Proxy 2.6.0 answers the AWS SDK's bulk DeleteObjects request (with
   * its CRC32 checksum header) with 501 Not Implemented.
   */
  Map<String, String> hadoopProperties() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort());
    conf.put("fs.s3a.endpoint.region", "us-east-1");
    conf.put("fs.s3a.path.style.access", "true");
    conf.put("fs.s3a.connection.ssl.enabled", "false");
    conf.put(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.put("fs.s3a.access.key", ACCESS_KEY);
    conf.put("fs.s3a.secret.key", SECRET_KEY);
    conf.put("fs.s3a.multiobjectdelete.enable", "false");
    return conf;
  }

  /**
   * Writes {@link #hadoopProperties} as {@code core-site.xml} into {@code directory}: on a JVM's
   * class path, every {@code new Configuration()} there reads it.
   */
  Path writeCoreSite(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path file = directory.resolve("core-site.xml");
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("<?xml version=\"1.0\"?>\n<configuration>\n");
      for (Map.Entry<String, String> e : hadoopProperties().entrySet()) {
        w.write(
            "  <property><name>" + e.getKey() + "</name><value>" + e.getValue()
                + "</value></property>\n");
      }
      w.write("</configuration>\n");
    }
    return file;
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
    } finally {
      blobStore.close();
    }
  }
}
