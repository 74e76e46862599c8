/**
 * The full-screen terminal of a game day: the alternate screen, a hidden cursor, raw keys, and
 * a repaint that rewrites every line in place (no flicker, no scrollback noise). Everything is
 * put back on close — also when the run throws.
 */
import { emitKeypressEvents } from 'node:readline';

export interface Key {
  /** The character typed, if printable. */
  text?: string;
  /** readline's name: return, escape, backspace, c, … */
  name?: string;
  ctrl: boolean;
}

export interface Terminal {
  readonly width: number;
  readonly height: number;
  paint(lines: readonly string[]): void;
  close(): void;
}

export interface TerminalStreams {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

export function openTerminal(streams: TerminalStreams, onKey: (key: Key) => void): Terminal {
  const { input, output } = streams;
  emitKeypressEvents(input);
  const rawBefore = input.isRaw;
  if (input.isTTY) input.setRawMode(true);
  input.resume();
  const listener = (
    text: string | undefined,
    key: { name?: string; ctrl?: boolean; sequence?: string } | undefined,
  ) => {
    const printable = text !== undefined && text.length === 1 && text >= ' ' && text !== '\x7f' ? text : undefined;
    onKey({ text: printable, name: key?.name, ctrl: key?.ctrl === true });
  };
  input.on('keypress', listener);
  output.write('\x1b[?1049h\x1b[?25l\x1b[2J');
  let closed = false;
  return {
    get width() {
      return output.columns || 100;
    },
    get height() {
      return output.rows || 40;
    },
    paint: (lines) => {
      if (closed) return;
      const rows = output.rows || 40;
      const body = lines
        .slice(0, rows)
        .map((line) => `${line}\x1b[K`)
        .join('\r\n');
      output.write(`\x1b[H${body}\x1b[J`);
    },
    close: () => {
      if (closed) return;
      closed = true;
      input.off('keypress', listener);
      if (input.isTTY) input.setRawMode(rawBefore);
      input.pause();
      output.write('\x1b[?25h\x1b[?1049l');
    },
  };
}
