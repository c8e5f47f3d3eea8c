/**
 * Splits a child's stdout into lines and parses each as JSON. Guarantees: a line split across
 * reads is joined; an over-long line (a child gone mad) is dropped and reported, never buffered
 * without bound; bad JSON is reported per line.
 */
export type Line = { kind: "value"; value: unknown } | { kind: "error"; message: string };

const MAX_LINE_BYTES = 1024 * 1024;

export class JsonLines {
  private partial = "";
  private dropping = false;

  push(chunk: Buffer | string): Line[] {
    const out: Line[] = [];
    const text = this.partial + chunk.toString();
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      if (this.dropping) {
        this.dropping = false;
        continue;
      }
      if (line.trim() === "") continue;
      try {
        out.push({ kind: "value", value: JSON.parse(line) });
      } catch {
        out.push({ kind: "error", message: `not JSON: ${line.slice(0, 200)}` });
      }
    }
    if (this.partial.length > MAX_LINE_BYTES) {
      out.push({ kind: "error", message: `line over ${MAX_LINE_BYTES} bytes dropped` });
      this.partial = "";
      this.dropping = true;
    }
    return out;
  }
}
