package dev.weir.checkpoint.storage;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.StateHandle;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Test;
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

  /**
   * A restore from a local directory links the SST files RocksDB never changes instead of copying
   * them (a restart of 1 GB of state spent most of its time copying); MANIFEST, which an open
   * database rewrites, is still copied, so the database can never change a checkpoint's file.
   */
  @Test
  public void downloadLinksSstFilesAndCopiesTheOthers() throws Exception {
    StateHandle handle =
        completeSynthetic(
                storage.uploader(SYNTHETIC), 1, Map.of("1.sst", "one", "MANIFEST-1", "m1"))
            .metadata()
            .getSubtasks(0)
            .getKeyedState();
    Path local = temp.getRoot().toPath().resolve("download");

    storage.download(handle, local);

    StateFile sst = files(handle, ".sst").get(0);
    StateFile manifest = files(handle, "MANIFEST-1").get(0);
    assertEquals(inode(stored(sst)), inode(local.resolve("1.sst")));
    assertNotEquals(inode(stored(manifest)), inode(local.resolve("MANIFEST-1")));
    assertEquals("one", Files.readString(local.resolve("1.sst")));
    assertEquals("m1", Files.readString(local.resolve("MANIFEST-1")));
  }

  private Path stored(StateFile file) throws IOException {
    return Paths.get(storage.layout().resolve(file.getPath()).toUri());
  }

  private static Object inode(Path file) throws IOException {
    return Files.getAttribute(file, "unix:ino");
  }
}
