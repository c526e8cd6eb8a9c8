package dev.weir.runner.recovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the {@link LedgerSink}s wrote, judged against the source: every {@code (key, seq)} must be
 * there (none lost), with one record only (none duplicated: a second, different record means the
 * element had an effect twice), and each key's counts must be exactly 1..n (the keyed state saw each
 * element once).
 */
final class Ledger {
  final long lost;
  final long duplicated;
  final long wrongCounts;

  /**
   * Sequence numbers whose records disagree on the key's count: the element met different state
   * each time (a duplicate that is not a replay from one consistent checkpoint).
   */
  final long inconsistentReplays;

  /**
   * Records whose count is not the one an uninterrupted run gives: element {@code seq} is the
   * {@code (seq / keys + 1)}-th of its key, as one split emits a key's elements in order.
   */
  final long countsUnlikeAnUninterruptedRun;

  final long lines;
  final List<String> examples;

  private Ledger(
      long lost,
      long duplicated,
      long wrongCounts,
      long inconsistentReplays,
      long countsUnlikeAnUninterruptedRun,
      long lines,
      List<String> examples) {
    this.lost = lost;
    this.duplicated = duplicated;
    this.wrongCounts = wrongCounts;
    this.inconsistentReplays = inconsistentReplays;
    this.countsUnlikeAnUninterruptedRun = countsUnlikeAnUninterruptedRun;
    this.lines = lines;
    this.examples = examples;
  }

  /**
   * The file's complete lines. A sink in a worker killed mid-write leaves an unterminated last line
   * (its writer's buffer fills mid-record); it is not read, since the bundle that wrote it never
   * finished and its elements are replayed. A half record could otherwise pass as another record.
   */
  static List<String> completeLines(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    List<String> complete = new ArrayList<>();
    int start = 0;
    for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      if (end > start) {
        complete.add(text.substring(start, end));
      }
      start = end + 1;
    }
    return complete;
  }

  /** Reads every ledger file in {@code directory} and checks it against {@code total} elements. */
  static Ledger read(Path directory, long total, int keys) throws IOException {
    // seq -> the distinct records written for it ("count,emission").
    Map<Long, Set<String>> records = new HashMap<>();
    long lines = 0;
    List<Path> files;
    try (Stream<Path> listed = Files.list(directory)) {
      files = listed.filter(f -> f.toString().endsWith(".ledger")).sorted().toList();
    }
    for (Path file : files) {
      for (String line : completeLines(file)) {
        lines++;
        String[] parts = line.split(",");
        long seq = Long.parseLong(parts[1]);
        if (!parts[0].equals(SequencedKeySource.keyOf(seq, keys))) {
          throw new IllegalStateException("record with the wrong key: " + line);
        }
        records.computeIfAbsent(seq, s -> new HashSet<>()).add(parts[2] + "," + parts[3]);
      }
    }
    List<String> examples = new ArrayList<>();
    long lost = 0;
    long duplicated = 0;
    long inconsistentReplays = 0;
    long unlikeUninterrupted = 0;
    Map<String, Set<Integer>> countsPerKey = new HashMap<>();
    for (long seq = 0; seq < total; seq++) {
      Set<String> written = records.get(seq);
      String key = SequencedKeySource.keyOf(seq, keys);
      if (written == null) {
        lost++;
        example(examples, "lost: " + key + " seq " + seq);
        continue;
      }
      if (written.size() > 1) {
        duplicated += written.size() - 1;
        example(examples, "duplicated: " + key + " seq " + seq + " " + written);
        if (written.stream().map(r -> r.substring(0, r.indexOf(','))).distinct().count() > 1) {
          inconsistentReplays++;
        }
      }
      for (String record : written) {
        if (Integer.parseInt(record.substring(0, record.indexOf(','))) != seq / keys + 1) {
          unlikeUninterrupted++;
        }
        countsPerKey
            .computeIfAbsent(key, k -> new HashSet<>())
            .add(Integer.parseInt(record.substring(0, record.indexOf(','))));
      }
    }
    long wrongCounts = 0;
    long perKey = total / keys;
    for (Map.Entry<String, Set<Integer>> counts : countsPerKey.entrySet()) {
      for (int c : counts.getValue()) {
        if (c < 1 || c > perKey) {
          wrongCounts++;
          example(examples, "count " + c + " for " + counts.getKey() + ", which has " + perKey);
        }
      }
    }
    return new Ledger(
        lost, duplicated, wrongCounts, inconsistentReplays, unlikeUninterrupted, lines, examples);
  }

  private static void example(List<String> examples, String line) {
    if (examples.size() < 10) {
      examples.add(line);
    }
  }

  boolean exactlyOnce() {
    return lost == 0 && duplicated == 0 && wrongCounts == 0;
  }

  /**
   * Nothing lost, and every duplicate a faithful replay: the element met the same count each time
   * (what a restore from a checkpoint older than the newest completed one gives, whose released
   * outputs the sink had already written).
   */
  boolean noneLostAndEveryDuplicateAReplay() {
    return lost == 0 && wrongCounts == 0 && inconsistentReplays == 0;
  }

  @Override
  public String toString() {
    return "lost=" + lost + " duplicated=" + duplicated + " wrongCounts=" + wrongCounts
        + " inconsistentReplays=" + inconsistentReplays
        + " countsUnlikeAnUninterruptedRun=" + countsUnlikeAnUninterruptedRun
        + " lines=" + lines + " e.g. " + examples;
  }
}
