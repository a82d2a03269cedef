// The records the first pass of a load has already read, kept on disk for the second pass as
// JSON lines ([line, ...cells]), for sources that are slow to read again (an XLSX workbook is
// unzipped and its XML parsed): reading them back is several times faster, and memory stays flat
// whatever the file's size. CSV is simply read again: our tokenizer is faster than the spool.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FLUSH_CHARS = 64 * 1024;

export class RecordSpool {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hromada-spool-'));
  private readonly file = path.join(this.dir, 'records.jsonl');
  private readonly fd = fs.openSync(this.file, 'w');
  private buffer = '';
  private closed = false;

  write(line: number, cells: string[]): void {
    this.buffer += `${JSON.stringify([line, ...cells])}\n`;
    if (this.buffer.length >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.buffer) fs.writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  /** Ends writing; the records can then be read, once or more. */
  finish(): void {
    if (this.closed) return;
    this.flush();
    fs.closeSync(this.fd);
    this.closed = true;
  }

  /** The data records, a batch per piece of the spool read. */
  async *records(): AsyncGenerator<{ data: { cells: string[]; line: number }[] }> {
    this.finish();
    const decoder = new TextDecoder();
    let rest = '';
    for await (const chunk of fs.createReadStream(this.file, { highWaterMark: 64 * 1024 })) {
      const lines = (rest + decoder.decode(chunk as Buffer, { stream: true })).split('\n');
      rest = lines.pop()!;
      yield {
        data: lines.map((text) => {
          const [line, ...cells] = JSON.parse(text) as [number, ...string[]];
          return { cells, line };
        }),
      };
    }
  }

  remove(): void {
    try {
      this.finish();
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
