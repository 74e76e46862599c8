/**
 * `--log-format json`: everything a command prints becomes one JSON object per line, for log
 * shippers (Loki, Elasticsearch, Cloud Logging). A run's events arrive already as JSON objects with
 * the journal's fields (`type`, `atMs`, …) and pass through as they are; a document (`--output
 * json`) is put on one line; every other line becomes `{"type":"log","atMs":…,"level":…,
 * "message":…}` — `info` on stdout, one per line; `error` on stderr, one per message (its hint
 * included). Streams stay what they were.
 */
import type { CliIo } from './io.js';

export type LogFormat = 'text' | 'json';

/** Read before commander parses argv, so errors in parsing are JSON lines too. */
export function logFormatOf(argv: readonly string[]): LogFormat {
  const at = argv.findIndex((arg) => arg === '--log-format' || arg.startsWith('--log-format='));
  if (at < 0) return 'text';
  const value = argv[at]!.includes('=') ? argv[at]!.split('=')[1] : argv[at + 1];
  return value === 'json' ? 'json' : 'text';
}

function asObject(text: string): object | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function jsonLines(write: (text: string) => void, level: 'info' | 'error', now: () => number) {
  return (text: string): void => {
    const whole = asObject(text);
    if (whole) return write(JSON.stringify(whole));
    // An error with its hint stays one event; printed tables and blocks are one event per line.
    const lines = level === 'error' ? [text.trim()] : text.split(/\r?\n/);
    for (const line of lines) {
      if (line.trim() === '') continue;
      const object = asObject(line);
      write(JSON.stringify(object ?? { type: 'log', atMs: now(), level, message: line.trimEnd() }));
    }
  };
}

/** The same io, printing JSON lines; `logFormat` tells run sinks to print events as JSON. */
export function jsonLogIo(io: CliIo, now: () => number = Date.now): CliIo {
  return {
    ...io,
    logFormat: 'json',
    isTty: false,
    color: false,
    out: jsonLines((text) => io.out(text), 'info', now),
    err: jsonLines((text) => io.err(text), 'error', now),
  };
}
