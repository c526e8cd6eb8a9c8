package dev.weir.worker.task;

import java.io.Serializable;

/**
 * What crossed a subtask's boundary so far: records and bytes received on its input channels and
 * sent on its output channels (encoded, as they travel; a broadcast element counts once per
 * consumer). The elements a source of the subtask read (its {@code weir.source/elements_read}
 * counter, see {@code SourceMetrics}) count as records in too, without bytes: they come from
 * outside the pipeline, not encoded. Elements passed between operators fused in the subtask are
 * not counted.
 */
public record SubtaskIo(long recordsIn, long bytesIn, long recordsOut, long bytesOut)
    implements Serializable {
  public static final SubtaskIo NONE = new SubtaskIo(0, 0, 0, 0);
}
