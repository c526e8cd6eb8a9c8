package dev.weir.checkpoint.storage;

import java.net.URI;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.rules.TemporaryFolder;

/**
 * The storage contract on S3 through Hadoop's S3A client, against S3Proxy on loopback with a
 * local directory as its blob store; one proxy per class.
 */
public class S3CheckpointStorageTest extends CheckpointStorageContractTest {
  private static final String BUCKET = "weir-checkpoints";
  private static final String ACCESS_KEY = "weir-access";
  private static final String SECRET_KEY = "weir-secret";
  private static final long START_TIMEOUT_SECONDS = 60;

  @ClassRule public static final TemporaryFolder BLOBS = new TemporaryFolder();

  private static BlobStoreContext blobStore;
  private static S3Proxy proxy;

  @BeforeClass
  public static void startS3Proxy() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", BLOBS.getRoot().getAbsolutePath());
    blobStore =
        ContextBuilder.newBuilder("filesystem")
            .credentials("identity", "credential")
            .overrides(properties)
            .build(BlobStoreContext.class);
    blobStore.getBlobStore().createContainerInLocation(null, BUCKET);
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
  }

  @AfterClass
  public static void stopS3Proxy() throws Exception {
    if (proxy != null) {
      proxy.stop();
    }
    if (blobStore != null) {
      blobStore.close();
    }
  }

  @Override
  protected URI checkpointDirectory() {
    return URI.create("s3a://" + BUCKET + "/checkpoints");
  }

  /**
   * S3A pointed at S3Proxy. Deletes go one object at a time: the AWS SDK (2.30 on) sends a CRC32
   * checksum header with a bulk DeleteObjects request, which S3Proxy 2.6.0 answers with 501 Not
   * Implemented. Real S3 takes the bulk request; this test does not cover that path.
   */
  @Override
  protected Map<String, String> hadoopProperties() {
    return Map.of(
        "fs.s3a.multiobjectdelete.enable", "false",
        "fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort(),
        "fs.s3a.endpoint.region", "us-east-1",
        "fs.s3a.path.style.access", "true",
        "fs.s3a.connection.ssl.enabled", "false",
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "fs.s3a.access.key", ACCESS_KEY,
        "fs.s3a.secret.key", SECRET_KEY,
        "fs.s3a.attempts.maximum", "1",
        "fs.s3a.retry.limit", "1");
  }
}
