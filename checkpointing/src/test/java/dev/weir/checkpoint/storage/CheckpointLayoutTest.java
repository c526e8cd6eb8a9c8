package dev.weir.checkpoint.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertThrows;

import java.util.OptionalLong;
import org.apache.hadoop.fs.Path;
import org.junit.Test;

/** Names of checkpoint files and directories, and refusing paths that leave the job. */
public class CheckpointLayoutTest {
  private final CheckpointLayout layout = new CheckpointLayout(new Path("file:/data/job-1"));

  @Test
  public void pathsFromMetadataMustStayInsideTheJobDirectory() throws Exception {
    assertThat(
        layout.resolve("shared/3/x-0/000012.sst"),
        equalTo(new Path("file:/data/job-1/shared/3/x-0/000012.sst")));
    for (String bad :
        new String[] {"", "/etc/passwd", "../other-job/chk-1/f", "chk-1/../../x", "s3a://b/k",
          "chk-1/./f", "a\\b"}) {
      CorruptCheckpointException e =
          assertThrows(CorruptCheckpointException.class, () -> layout.resolve(bad));
      assertThat(e.getMessage(), containsString("'" + bad + "' is not relative to the job"));
    }
  }

  @Test
  public void directoryNamesParseBackToTheirIds() {
    assertThat(CheckpointLayout.checkpointId("chk-42"), equalTo(OptionalLong.of(42)));
    assertThat(CheckpointLayout.savepointId("savepoint-7"), equalTo(OptionalLong.of(7)));
    assertThat(CheckpointLayout.sharedId("12"), equalTo(OptionalLong.of(12)));
    assertThat(CheckpointLayout.checkpointId("chk-"), equalTo(OptionalLong.empty()));
    assertThat(CheckpointLayout.checkpointId("chk-4x"), equalTo(OptionalLong.empty()));
    assertThat(CheckpointLayout.checkpointId("savepoint-4"), equalTo(OptionalLong.empty()));
    assertThat(
        CheckpointLayout.checkpointId("chk-99999999999999999999"), equalTo(OptionalLong.empty()));
  }

  @Test
  public void ownerDirectoryIsShortSafeAndTellsLongIdsApart() {
    String longId = "Window.Into()/ParDo(Anonymous)/".repeat(40);
    OperatorSubtask a = new OperatorSubtask(longId + "a", 3);
    OperatorSubtask b = new OperatorSubtask(longId + "b", 3);
    assertThat(a.directoryName().length(), lessThanOrEqualTo(32 + 1 + 16 + 1 + 10));
    assertThat(a.directoryName(), not(containsString("/")));
    assertThat(a.directoryName(), not(equalTo(b.directoryName())));
    assertThat(
        a.directoryName(), not(equalTo(new OperatorSubtask(longId + "a", 4).directoryName())));
  }
}
