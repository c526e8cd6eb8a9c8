// A TypeScript SDK pipeline that uses a Java transform: GenerateSequence, expanded by the Java
// expansion service the job server hosts on its own port, its stage run in an EMBEDDED Java
// harness, the rest in this process (LOOPBACK). Doubles the numbers and asserts them against
// EXPECTED (a JSON list); prints XLANG_OK once the job is done.
const beam = require("apache-beam");
const { rawExternalTransform } = require("apache-beam/transforms/external");
const { PortableRunner } = require("apache-beam/runners/portable_runner/runner");
const testing = require("apache-beam/testing/assert");

function double(x) {
  return x * 2;
}

async function main() {
  const endpoint = process.env.JOB_ENDPOINT;
  const expected = JSON.parse(process.env.EXPECTED);
  const runner = new PortableRunner({ jobEndpoint: endpoint, environmentType: "LOOPBACK" });
  await runner.run(async (root) => {
    const numbers = await root.applyAsync(
      rawExternalTransform(
        "beam:external:java:generate_sequence:v1",
        { start: 0, stop: 5 },
        endpoint
      )
    );
    numbers.map(double).apply(testing.assertDeepEqual(expected));
  });
  console.log("XLANG_OK");
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => process.exit());
