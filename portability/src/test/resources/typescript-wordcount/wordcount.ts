import * as beam from "apache-beam";
import { countPerElement } from "apache-beam/transforms/group_and_combine";
import { PortableRunner } from "apache-beam/runners/portable_runner/runner";

// The functions below run in this node process (LOOPBACK) and use nothing but their arguments:
// the SDK serializes them, and without its closure transform it cannot carry captured variables.
function* words(line: string) {
  yield* line.toLowerCase().split(/[^a-z']+/).filter((word) => word.length > 0);
}

function print(wordCount: { element: string; count: number }) {
  console.log(`${wordCount.element}: ${wordCount.count}`);
}

async function main() {
  // Submits to Weir's job server (bin/weir-job-server --port 8099).
  const runner = new PortableRunner({
    jobEndpoint: process.env.JOB_ENDPOINT || "localhost:8099",
    environmentType: "LOOPBACK",
  });
  await runner.run((root) => {
    root
      .apply(
        beam.create([
          "To be, or not to be: that is the question:",
          "Whether 'tis nobler in the mind to suffer",
          "The slings and arrows of outrageous fortune,",
        ])
      )
      .flatMap(words)
      .apply(countPerElement())
      .map(print);
  });
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => process.exit());
