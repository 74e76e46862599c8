/**
 * Follow k6's output file while k6 writes it (k6 flushes whole lines every 200 ms) and
 * hand each sample over as it arrives. Polling a file is portable and cheap at this rate;
 * fs.watch is not reliable across platforms for appends.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { LoadSample } from '../budgets/sample.js';
import { LineSplitter, parseSampleLine, type SampleParser } from './samples.js';

export interface SampleStream {
  /** Read whatever k6 has written since the last call; returns the number of bytes read. */
  poll(): number;
  /** Read to the end and stop. */
  close(): void;
  bytesRead(): number;
}

export function followSamples(
  file: string,
  onSample: (sample: LoadSample) => void,
  parse: SampleParser = parseSampleLine,
): SampleStream {
  return followLines(file, (line) => {
    const sample = parse(line);
    if (sample) onSample(sample);
  });
}

/**
 * Follow a file k6 appends whole lines to (its JSON output, its console output), line by line;
 * `onTail` gets what is left without a line break when the stream closes (default: `onLine`).
 */
export function followLines(
  file: string,
  onLine: (line: string) => void,
  onTail: (line: string) => void = onLine,
): SampleStream {
  const splitter = new LineSplitter();
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(1 << 20);
  let fd: number | undefined;
  let offset = 0;
  const poll = () => {
    if (fd === undefined) {
      if (!existsSync(file)) return 0;
      fd = openSync(file, 'r');
    }
    let total = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, offset);
      if (read <= 0) break;
      offset += read;
      total += read;
      splitter.push(decoder.write(buffer.subarray(0, read)), onLine);
    }
    return total;
  };
  return {
    poll,
    close: () => {
      poll();
      splitter.flush(onTail);
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
    bytesRead: () => offset,
  };
}
