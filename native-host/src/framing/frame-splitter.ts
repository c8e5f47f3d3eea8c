/**
 * Cuts a byte stream of native messaging frames (4-byte little-endian length + body) at frame
 * boundaries without parsing the bodies, so a relay can pass whole frames on and never a torn one.
 * Chunks of a frame are only joined once the whole frame is there: a 1 MiB frame arriving in
 * 64 KiB reads is copied once, not once per read.
 */
export class FrameSplitter {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.buffered.push(chunk);
      this.bufferedBytes += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      const size = this.frameSize();
      if (size === null || this.bufferedBytes < size) return frames;
      const all = this.buffered.length === 1 ? (this.buffered[0] as Buffer) : Buffer.concat(this.buffered);
      frames.push(all.subarray(0, size));
      const rest = all.subarray(size);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
    }
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pending(): number {
    return this.bufferedBytes;
  }

  /** Header + body length of the frame at the front, once its 4-byte header is here. */
  private frameSize(): number | null {
    if (this.bufferedBytes < 4) return null;
    const first = this.buffered[0] as Buffer;
    const header = first.length >= 4 ? first : Buffer.concat(this.buffered).subarray(0, 4);
    return 4 + header.readUInt32LE(0);
  }
}
