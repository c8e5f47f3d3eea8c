/**
 * Cuts a byte stream of native messaging frames (4-byte little-endian length + body) at frame
 * boundaries without parsing the bodies, so a relay can pass whole frames on and never a torn one.
 */
export class FrameSplitter {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  push(chunk: Buffer): Buffer[] {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    const frames: Buffer[] = [];
    let data = this.buffered.length === 1 ? chunk : Buffer.concat(this.buffered, this.bufferedBytes);
    let offset = 0;
    while (data.length - offset >= 4) {
      const size = 4 + data.readUInt32LE(offset);
      if (data.length - offset < size) break;
      frames.push(data.subarray(offset, offset + size));
      offset += size;
    }
    data = data.subarray(offset);
    this.buffered = data.length > 0 ? [data] : [];
    this.bufferedBytes = data.length;
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pending(): number {
    return this.bufferedBytes;
  }
}
