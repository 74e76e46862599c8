#!/usr/bin/env node
/**
 * Prints one of the README's two quick-start commands, exactly as a new user copies it:
 *
 *   node scripts/readme-commands.js first   # npm ci && npx chaos run frontend-zero
 *   node scripts/readme-commands.js test    # the test command
 *   node scripts/readme-commands.js first path/to/README.md   # another README (the tests)
 *
 * .ci/run runs what this prints, so CI meets the project the way the README tells a user to, and
 * the two can never drift apart (test/ci/readme-commands.test.ts checks .ci/run still asks here).
 * The commands are the lines of the first ```sh block under "## Quick start", each without its
 * trailing `# comment`. Plain Node, no dependency: it runs before `npm ci`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The quick-start commands of a README's text, in order; an Error names what is wrong. */
export function quickStartCommands(readme) {
  const lines = readme.split('\n');
  const heading = lines.findIndex((line) => line.trim() === '## Quick start');
  if (heading < 0) throw new Error('README.md has no "## Quick start" heading');
  const open = lines.findIndex((line, i) => i > heading && line.trim() === '```sh');
  const next = lines.findIndex((line, i) => i > heading && line.startsWith('## '));
  if (open < 0 || (next >= 0 && open > next)) throw new Error('README.md\'s "## Quick start" has no ```sh block');
  const close = lines.findIndex((line, i) => i > open && line.trim() === '```');
  if (close < 0) throw new Error("README.md's quick-start ```sh block is not closed");
  return lines
    .slice(open + 1, close)
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

const which = { first: 0, test: 1 };

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const name = process.argv[2] ?? '';
  if (!(name in which)) {
    process.stderr.write(`usage: node scripts/readme-commands.js first|test (got "${name}")\n`);
    process.exit(2);
  }
  const readmePath = process.argv[3] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  try {
    const commands = quickStartCommands(readFileSync(readmePath, 'utf8'));
    if (commands.length !== 2)
      throw new Error(`${readmePath}: the quick start has ${commands.length} commands; expected two (first, test)`);
    process.stdout.write(`${commands[which[name]]}\n`);
  } catch (error) {
    process.stderr.write(`readme-commands: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
