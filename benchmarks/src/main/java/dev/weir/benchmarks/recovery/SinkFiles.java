package dev.weir.benchmarks.recovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** What the sink instances wrote so far (see {@link RecordOutputFn} for the lines). */
final class SinkFiles {
  /** One sink instance's file. */
  record Instance(
      long setupMillis, long firstOutputMillis, long filled, long past, long pastWithoutValue) {}

  private final List<Instance> instances;

  private SinkFiles(List<Instance> instances) {
    this.instances = instances;
  }

  static SinkFiles read(Path directory) throws IOException {
    List<Instance> instances = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.filter(f -> f.getFileName().toString().startsWith("sink-")).toList();
    }
    for (Path file : files) {
      long setup = -1;
      long first = -1;
      long filled = 0;
      long past = 0;
      long pastWithoutValue = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] f = line.split(" ");
        // A line cut short by a kill has fewer fields; it is skipped.
        if (f[0].equals("first") && f.length == 3) {
          setup = Long.parseLong(f[1]);
          first = Long.parseLong(f[2]);
        } else if (f[0].equals("filled") && f.length == 2) {
          filled = Long.parseLong(f[1]);
        } else if (f[0].equals("past") && f.length == 4) {
          past++;
          if (f[2].equals("0")) {
            pastWithoutValue++;
          }
        }
      }
      if (setup >= 0) {
        instances.add(new Instance(setup, first, filled, past, pastWithoutValue));
      }
    }
    return new SinkFiles(instances);
  }

  /** Elements of the fill the instances set up before {@code millis} have seen. */
  long filledBefore(long millis) {
    return instances.stream()
        .filter(i -> i.setupMillis() < millis)
        .mapToLong(Instance::filled)
        .sum();
  }

  /** The first output of an instance set up after {@code millis}: of the restarted job. */
  OptionalLong firstOutputAfter(long millis) {
    return instances.stream()
        .filter(i -> i.setupMillis() > millis)
        .mapToLong(Instance::firstOutputMillis)
        .min();
  }

  /** Instances set up after {@code millis}. */
  List<Instance> setUpAfter(long millis) {
    return instances.stream().filter(i -> i.setupMillis() > millis).toList();
  }
}
