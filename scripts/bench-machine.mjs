// Describes the machine a benchmark ran on; every bench JSON embeds this under "machine".
import os from "node:os";

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryBytes: os.totalmem(),
    loadAverage: os.loadavg(),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

if (process.argv[1]?.endsWith("bench-machine.mjs")) console.log(JSON.stringify(machine()));
