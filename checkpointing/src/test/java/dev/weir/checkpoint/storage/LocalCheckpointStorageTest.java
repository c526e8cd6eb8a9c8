package dev.weir.checkpoint.storage;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.rules.TemporaryFolder;

/** The storage contract on the local file system ({@code file://}). */
public class LocalCheckpointStorageTest extends CheckpointStorageContractTest {
  @ClassRule public static final TemporaryFolder ROOT = new TemporaryFolder();

  @Override
  protected URI checkpointDirectory() {
    try {
      return ROOT.newFolder().toURI();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected Map<String, String> hadoopProperties() {
    return Map.of();
  }
}
