/**
 * The published package: it ships only what runs (compiled CLI without source maps, the k6
 * script, the lab topology, the shipped scenarios, environments, suites and schemas, README,
 * LICENSE), and a global install into a temporary prefix works from an empty folder, finding k6
 * through the per-user cache. The registry is reachable here; dependencies come from it (or
 * npm's cache).
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { projectRoot } from '../support/cli.js';
import { writeLabState } from '../../src/lab/index.js';
import { startTestLab } from '../lab/lab-test-kit.js';

/** A child process that does not block this one (which serves the lab). */
function spawnAsync(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const npm = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) =>
  spawnSync('npm', args, {
    cwd: options.cwd ?? projectRoot,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });

const filesIn = (folder: string, ext: string) =>
  readdirSync(path.join(projectRoot, folder))
    .filter((file) => file.endsWith(ext))
    .map((file) => `${folder}/${file}`);

describe('the npm package', function () {
  this.timeout(400_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'chaos-package-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('is publishable: not private, Apache-2.0 with its LICENSE text, repository and homepage named', () => {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.private).to.equal(undefined);
    expect(pkg.license).to.equal('Apache-2.0');
    expect(readFileSync(path.join(projectRoot, 'LICENSE'), 'utf8')).to.match(
      /Apache License\s+Version 2\.0, January 2004/,
    );
    expect(pkg.repository).to.have.property('url').that.is.a('string');
    expect(pkg.homepage).to.be.a('string');
  });

  it('npm pack ships only what runs: dist without source maps, the k6 script, the topology, shipped inputs and schemas', () => {
    const packed = npm(['pack', '--dry-run', '--json', '--ignore-scripts']);
    expect(packed.status, packed.stderr).to.equal(0);
    const files = (JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    const required = [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/chaos.js',
      'dist/cli/main.js',
      'scripts/postinstall.js',
      'src/load/script/load.ts',
      'src/load/script/load-config.ts',
      // The module user scripts import as chaos/k6, what their k6 imports are pointed at (the
      // compact record), and the shipped journeys the scenarios name.
      'src/load/script/chaos-k6.ts',
      'src/load/script/recorder.ts',
      'src/load/script/k6-core.ts',
      'src/load/script/k6-http.ts',
      'src/load/script/k6-metrics.ts',
      'src/lab/topology/bank-of-anthos.yaml',
      ...filesIn('scenarios', '.yaml'),
      ...filesIn('scenarios/load', '.ts'),
      'scenarios/load/tsconfig.json',
      ...filesIn('environments', '.yaml'),
      ...filesIn('suites', '.yaml'),
      ...filesIn('schema', '.json'),
      ...filesIn('schema/output', '.json'),
    ];
    expect(files).to.include.members(required);
    const unexpected = files.filter((file) => !required.includes(file) && !/^dist\/.+\.js$/.test(file));
    expect(unexpected, 'nothing beyond what runs').to.deep.equal([]);
    expect(files.filter((file) => file.endsWith('.map'))).to.deep.equal([]);
  });

  it('installed globally into a temporary prefix, chaos lists and runs from an empty folder with k6 from the per-user cache', async () => {
    const packed = npm(['pack', '--ignore-scripts', '--pack-destination', tmp, '--json']);
    expect(packed.status, packed.stderr).to.equal(0);
    const tarball = path.join(tmp, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
    const prefix = path.join(tmp, 'prefix');
    // --foreground-scripts: npm hides lifecycle output otherwise; the test reads what the postinstall says.
    const install = npm(
      ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--foreground-scripts', tarball],
      {
        cwd: tmp,
        timeoutMs: 240_000,
      },
    );
    expect(install.status, install.stderr).to.equal(0);
    expect(install.stdout + install.stderr)
      .to.include('chaos setup')
      .and.not.to.include('typescript is not installed');

    const cache = path.join(tmp, 'xdg-cache');
    mkdirSync(path.join(cache, 'chaos', 'tools', 'bin'), { recursive: true });
    const cachedK6 = path.join(cache, 'chaos', 'tools', 'bin', 'k6');
    symlinkSync(path.join(projectRoot, '.tools', 'bin', 'k6'), cachedK6);
    const empty = mkdtempSync(path.join(tmp, 'empty-'));
    const home = mkdtempSync(path.join(tmp, 'home-'));
    // No k6 on PATH, no K6_BIN, no checkout's .tools: only the per-user cache has one.
    const env = {
      ...process.env,
      PATH: [path.join(prefix, 'bin'), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
      HOME: home,
      XDG_CACHE_HOME: cache,
      K6_BIN: '',
      CHAOS_TOOLS_DIR: '',
    };
    const chaos = (args: string[], timeoutMs = 60_000) =>
      spawnSync(path.join(prefix, 'bin', 'chaos'), args, { cwd: empty, env, encoding: 'utf8', timeout: timeoutMs });

    const list = chaos(['list']);
    expect(list.status, list.stderr).to.equal(ExitCode.passed);
    for (const file of filesIn('scenarios', '.yaml'))
      expect(list.stdout).to.match(new RegExp(`^${path.basename(file, '.yaml')}\\s`, 'm'));
    const setup = chaos(['setup']);
    expect(setup.status, setup.stderr).to.equal(ExitCode.passed);
    expect(setup.stdout).to.match(new RegExp(`^k6 v2\\.\\d+\\.\\d+ found \\(tools folder\\): ${cachedK6}$`, 'm'));

    // The lab's topology ships in the package: the installed module reads it, with no checkout around.
    const installed = path.join(prefix, 'lib', 'node_modules', 'chaos');
    const topology = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(path.join(installed, 'dist/lab/topology/read-topology.js'))}); console.log(m.readTopology().clusters.map((c) => c.name).join(','))`,
      ],
      { cwd: empty, env, encoding: 'utf8', timeout: 30_000 },
    );
    expect(topology.status, topology.stderr).to.equal(0);
    expect(topology.stdout.trim()).to.equal('central,west');

    // A run with the installed package's k6 script and the cached k6, against a lab this process
    // serves on free ports (so a `chaos lab up` elsewhere on the machine does not matter).
    const { lab } = await startTestLab();
    try {
      const runDir = mkdtempSync(path.join(tmp, 'run-'));
      await writeLabState(path.join(runDir, '.chaos/lab'), lab);
      const short = ['--phase', 'baseline=2s', '--phase', 'fault=2s', '--phase', 'recovery=2s'];
      const run = await spawnAsync(
        path.join(prefix, 'bin', 'chaos'),
        ['run', 'istio-delay', ...short, '--output', 'json', '--reports', 'reports'],
        { cwd: runDir, env },
      );
      expect([ExitCode.passed, ExitCode.budgetsBreached, ExitCode.inconclusive], run.stderr).to.include(run.code);
      const result = JSON.parse(run.stdout) as { scenario: { name: string }; versions: { k6: string } };
      expect(result.scenario.name).to.equal('istio-delay');
      expect(result.versions.k6).to.match(/^v2\./);
    } finally {
      await lab.stop();
    }
  });
});

/**
 * The Docker image cannot be built here (no Docker engine; see the report of issue 18 for why a
 * daemonless builder cannot either), so its runtime stage is checked against the package: every
 * file the package ships is in the image, and every file the Dockerfile copies exists.
 */
describe('deploy/Dockerfile against the package', () => {
  const dockerfile = readFileSync(path.join(projectRoot, 'deploy/Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const copies = [...runtime.matchAll(/^COPY (?!--from)(.+)$/gm)].map((match) => {
    const parts = match[1]!.trim().split(/\s+/);
    return { sources: parts.slice(0, -1), dest: parts.at(-1)! };
  });

  it('every file the Dockerfile copies from the build context exists', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((match) =>
      match[1]!.trim().split(/\s+/).slice(0, -1),
    );
    expect(sources).to.not.be.empty;
    for (const source of sources) expect(existsSync(path.join(projectRoot, source)), source).to.equal(true);
  });

  it('the runtime image holds everything the package ships (dist from the build stage)', () => {
    const packed = npm(['pack', '--dry-run', '--json', '--ignore-scripts']);
    const files = (JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    const copied = (file: string) =>
      (file.startsWith('dist/') && /^COPY --from=build \/src\/dist \.\/dist$/m.test(runtime)) ||
      copies.some(({ sources }) =>
        sources.some((source) => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`)),
      );
    // The postinstall is for npm installs; the image is built without lifecycle scripts.
    const missing = files.filter((file) => file !== 'scripts/postinstall.js' && !copied(file));
    expect(missing).to.deep.equal([]);
  });
});
