// Prints every bench-results/*.json as one table, so a run's numbers can be read side by side.
import fs from "node:fs";
import path from "node:path";

const dir = path.resolve(import.meta.dirname, "../bench-results");
for (const file of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()) {
  const result = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  console.log(`\n## ${file}`);
  console.log(JSON.stringify(result.results ?? result, null, 2));
}
