package dev.weir.runner.recovery;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LedgerTest {
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void anUnterminatedLastLineLeftByAKilledWorkersSinkIsNotRead() throws Exception {
    Path file = folder.newFile("a.ledger").toPath();
    Files.write(file, "k0,0,1,7\n\nk1,1,1,8\nk0,2,2".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("k0,0,1,7", "k1,1,1,8"), Ledger.completeLines(file));
  }
}
