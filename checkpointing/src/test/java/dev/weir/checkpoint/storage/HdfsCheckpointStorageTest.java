package dev.weir.checkpoint.storage;

import java.io.File;
import java.net.URI;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.rules.TemporaryFolder;

/** The storage contract on HDFS: an in-process MiniDFSCluster on loopback, one per class. */
public class HdfsCheckpointStorageTest extends CheckpointStorageContractTest {
  @ClassRule public static final TemporaryFolder BASE = new TemporaryFolder();

  private static MiniDFSCluster cluster;

  @BeforeClass
  public static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    File base = BASE.newFolder("hdfs");
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
    // No web UIs: only the RPC ports are needed, all on loopback.
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    cluster = new MiniDFSCluster.Builder(conf, base).numDataNodes(1).build();
    cluster.waitActive();
  }

  @AfterClass
  public static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown(true);
    }
  }

  @Override
  protected URI checkpointDirectory() {
    return URI.create(cluster.getURI() + "/checkpoints");
  }

  @Override
  protected Map<String, String> hadoopProperties() {
    return Map.of();
  }
}
