package dev.weir.portability;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SinkFilesTest {
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void anUnterminatedLastLineLeftByAKilledWriterIsNotRead() throws Exception {
    Path file = folder.newFile().toPath();
    Files.write(file, "k0,0,1\n\nk1,1,1\nk2,2".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("k0,0,1", "k1,1,1"), SinkFiles.completeLines(file));
  }
}
