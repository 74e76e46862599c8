/**
 * `npm run lint` runs knip (knip.jsonc), which fails on an export no other file imports, an
 * exported type no other file uses, and a file nothing imports. Shown on a copy of the project
 * (node_modules linked, not copied) with one of each added; the real tree is not touched, and the
 * copy is removed afterwards.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './lint-kit.js';

/** What knip's JSON reporter prints: per file, each kind of finding with the names found. */
interface KnipReport {
  issues: Array<{
    file: string;
    files: Array<{ name: string }>;
    exports: Array<{ name: string; line: number }>;
    types: Array<{ name: string; line: number }>;
  }>;
}

/** Top-level entries not copied: git, installed packages (linked instead), built tools and outputs. */
const notCopied = new Set(['.git', 'node_modules', '.tools', 'dist', 'reports', '.chaos', '.scratch']);
const errorsFile = 'src/errors/errors.ts';
const orphanFile = 'src/errors/orphan.ts';

describe('lint finds unused exports (knip)', function () {
  this.timeout(180_000);
  let copy = '';
  let firstAddedLine = 0;
  let status: number | null = null;
  let report: KnipReport = { issues: [] };

  before(function () {
    copy = mkdtempSync(path.join(os.tmpdir(), 'chaos-knip-'));
    cpSync(root, copy, {
      recursive: true,
      filter: (source) => !notCopied.has(path.relative(root, source).split(path.sep)[0] ?? ''),
    });
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const errors = readFileSync(path.join(root, errorsFile), 'utf8');
    expect(errors.endsWith('\n'), `${errorsFile} ends with a newline`).to.equal(true);
    // The line the first added export lands on: the file's last line ends with '\n', so it is the next one.
    firstAddedLine = errors.split('\n').length;
    writeFileSync(
      path.join(copy, errorsFile),
      `${errors}export const unusedValue = 1;\nexport type UnusedType = string;\n`,
    );
    writeFileSync(path.join(copy, orphanFile), 'export const orphan = 1;\n');
    const knip = spawnSync(process.execPath, [path.join(root, 'node_modules/knip/bin/knip.js'), '--reporter', 'json'], {
      cwd: copy,
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(knip.error).to.equal(undefined);
    status = knip.status;
    report = JSON.parse(knip.stdout) as KnipReport;
  });

  after(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('npm run lint runs knip', () => {
    const lint = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { lint: string } })
      .scripts.lint;
    expect(lint.split('&&').map((command) => command.trim())).to.include('knip');
  });

  it('knip fails', () => {
    expect(status).to.equal(1);
  });

  it('an export no other file imports is reported with its line; the used exports of the file are not', () => {
    const issue = report.issues.find((entry) => entry.file === errorsFile);
    expect(issue?.exports.map(({ name, line }) => ({ name, line }))).to.deep.equal([
      { name: 'unusedValue', line: firstAddedLine },
    ]);
  });

  it('an exported type no other file uses is reported with its line', () => {
    const issue = report.issues.find((entry) => entry.file === errorsFile);
    expect(issue?.types.map(({ name, line }) => ({ name, line }))).to.deep.equal([
      { name: 'UnusedType', line: firstAddedLine + 1 },
    ]);
  });

  it('a file nothing imports is reported', () => {
    const files = report.issues.flatMap((entry) => entry.files.map((file) => file.name));
    expect(files).to.include(orphanFile);
  });
});
