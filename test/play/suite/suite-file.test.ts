/** Suite files: the shipped nightly suite, validation with positions, and how `chaos run X` finds a suite. */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError, formatIssue } from '../../../src/errors/errors.js';
import { listYamlFiles, packageRoot } from '../../../src/input/files.js';
import { exportSuiteSchema } from '../../../src/play/suite/schema.js';
import { findSuiteFile, readSuite } from '../../../src/play/suite/read-suite.js';
import { projectRoot } from '../../support/cli.js';

const fixtures = path.join(projectRoot, 'test/play/suite/fixtures');

function issuesOf(file: string, cwd: string): string[] {
  try {
    readSuite(file, { cwd });
  } catch (error) {
    if (error instanceof InputError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('expected the suite to be invalid');
}

describe('suite files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-suite-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('suites/nightly.yaml covers every shipped scenario, each once', () => {
    const suite = readSuite(path.join(projectRoot, 'suites/nightly.yaml'), { cwd: projectRoot });
    const shipped = listYamlFiles([path.join(packageRoot, 'scenarios')]).map((file) =>
      path.basename(file).replace(/\.ya?ml$/, ''),
    );
    expect(suite.entries.map((entry) => entry.name).sort()).to.deep.equal(shipped.sort());
    expect(suite.name).to.equal('nightly');
    expect(suite.onFailure).to.equal('continue');
  });

  it('reads per-scenario overrides, resolving paths against the suite file', () => {
    const suite = readSuite(path.join(fixtures, 'middle-fails.yaml'), { cwd: dir });
    expect(suite.entries.map((entry) => entry.name)).to.deep.equal(['quiet-delay', 'front-door-errors', 'quiet-delay']);
    expect(suite.entries[0]!.file).to.equal(path.join(fixtures, 'quiet-delay.yaml'));
    expect(suite.entries[2]!.phaseOverrides).to.deep.equal({ recovery: 2000 });
    expect(suite.settle).to.deep.equal({ timeoutMs: 60_000, probeRequests: 10, tolerance: 0.05 });
  });

  it('reports every problem at once, with file, line and column', () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(
      file,
      [
        'name: broken',
        'description: several mistakes',
        'onFailure: maybe',
        'scenarios:',
        '  - frontend-zer',
        '  - scenario: frontend-zero',
        '    phases: { falt: 10s }',
        '  - scenario: istio-delay',
        '    repeat: 2',
        '',
      ].join('\n'),
    );
    const issues = issuesOf(file, dir);
    expect(issues[0]).to.match(/broken\.yaml:3:12: onFailure: expected continue \(run every scenario\) or stop/);
    expect(issues[1]).to.match(
      /broken\.yaml:9:5: scenarios\[2\]\.repeat: unknown field "repeat"; expected one of: scenario, environment, phases/,
    );
    // The shape is fixed first; then the entries are checked.
    writeFileSync(file, readFileSync(file, 'utf8').replace('onFailure: maybe\n', '').replace('    repeat: 2\n', ''));
    const entryIssues = issuesOf(file, dir);
    expect(entryIssues).to.have.length(2);
    expect(entryIssues[0])
      .to.match(/broken\.yaml:4:5: scenarios\[0\]: unknown scenario "frontend-zer"/)
      .and.to.include('hint: did you mean `frontend-zero`?');
    expect(entryIssues[1]).to.equal(
      `${path.relative(dir, file)}:6:15: scenarios[1].phases.falt: scenario frontend-zero has no phase "falt"; expected one of: baseline, fault, recovery\n    hint: did you mean \`fault\`?`,
    );
  });

  it("an invalid scenario in a suite is reported with the scenario file's own positions", () => {
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      'name: bad\ndescription: x\nload: { rate: fast }\nbudgets: { all: { http_req_failed: rate<0.5 } }\n',
    );
    writeFileSync(path.join(dir, 'suite.yaml'), 'name: s\ndescription: d\nscenarios: [bad.yaml]\n');
    const issues = issuesOf(path.join(dir, 'suite.yaml'), dir);
    expect(issues).to.have.length(1);
    expect(issues[0]).to.match(/^bad\.yaml:3:15: load\.rate: expected/);
  });

  it('chaos run X finds a suite only where no scenario is called X, or by its path', () => {
    expect(findSuiteFile('nightly', projectRoot)).to.equal(path.join(projectRoot, 'suites/nightly.yaml'));
    expect(findSuiteFile('frontend-zero', projectRoot)).to.equal(undefined);
    expect(findSuiteFile(path.join(fixtures, 'middle-fails.yaml'), dir)).to.equal(
      path.join(fixtures, 'middle-fails.yaml'),
    );
    expect(findSuiteFile(path.join(fixtures, 'quiet-delay.yaml'), dir)).to.equal(undefined);
    expect(findSuiteFile('no-such-thing', projectRoot)).to.equal(undefined);
  });

  it('schema/suite.schema.json is the exported schema', () => {
    const committed = JSON.parse(readFileSync(path.join(projectRoot, 'schema/suite.schema.json'), 'utf8')) as unknown;
    expect(
      committed,
      'stale: regenerate with npx tsx -e "import(\'./src/play/suite/schema.ts\').then(m => console.log(JSON.stringify(m.exportSuiteSchema(), null, 2)))" > schema/suite.schema.json',
    ).to.deep.equal(exportSuiteSchema());
  });
});
