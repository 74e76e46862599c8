import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HarnessError } from '../../src/errors/errors.js';
import {
  findK6,
  installHint,
  installKind,
  parseK6Version,
  requireK6,
  toolsDir,
  toolsDirs,
  userToolsDir,
} from '../../src/load/k6-binary.js';
import { runChaos } from '../support/cli.js';

describe('k6 provisioning', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'chaos-k6-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const fakeK6 = (name: string, output: string) => {
    const file = path.join(tmp, name);
    writeFileSync(file, `#!/bin/sh\necho '${output}'\n`);
    chmodSync(file, 0o755);
    return file;
  };

  it('reads the version from k6 version output', () => {
    expect(parseK6Version('k6 v2.2.0 (go1.26.8, linux/amd64)')).to.equal('v2.2.0');
    expect(parseK6Version('k6 v1.8.1 (commit/abc, go1.25)')).to.equal('v1.8.1');
    expect(parseK6Version('something else')).to.equal(undefined);
  });

  it('the k6 the tool finds is a real k6 that prints a v2 version', async () => {
    const k6 = await requireK6({ ...process.env, K6_BIN: '' });
    expect(k6.version).to.match(/^v2\./);
    const result = runChaos(['setup']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^k6 v2\.\d+\.\d+ found/);
  });

  it('K6_BIN wins, and a K6_BIN that is k6 v1 is refused with how to get v2', async () => {
    const v2 = fakeK6('k6-v2', 'k6 v2.9.9 (fake)');
    expect(await findK6({ ...process.env, K6_BIN: v2 })).to.include({ path: v2, version: 'v2.9.9', source: 'K6_BIN' });
    const v1 = fakeK6('k6-v1', 'k6 v1.8.1 (fake)');
    let error: unknown;
    try {
      await findK6({ ...process.env, K6_BIN: v1 });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(HarnessError);
    expect((error as HarnessError).message).to.include('is k6 v1.8.1; chaos needs k6 v2');
    expect((error as HarnessError).hint).to.include('npm run setup');
  });

  it('a k6 v1 on PATH is skipped, not used: the v2 after it on PATH is taken', async () => {
    const v1 = mkdtempSync(path.join(tmp, 'path-v1-'));
    const v2 = mkdtempSync(path.join(tmp, 'path-v2-'));
    writeFileSync(path.join(v1, 'k6'), "#!/bin/sh\necho 'k6 v1.8.1 (commit/abc, go1.25)'\n");
    writeFileSync(path.join(v2, 'k6'), "#!/bin/sh\necho 'k6 v2.2.0 (go1.26.8, linux/amd64)'\n");
    chmodSync(path.join(v1, 'k6'), 0o755);
    chmodSync(path.join(v2, 'k6'), 0o755);
    // An empty tools folder, so the lookup really reaches PATH (the project's .tools/bin/k6 would
    // otherwise be found first and PATH never read).
    const tools = mkdtempSync(path.join(tmp, 'no-tools-'));
    const env = { PATH: [v1, v2].join(path.delimiter), K6_BIN: '', CHAOS_TOOLS_DIR: tools };
    expect(await findK6(env)).to.deep.equal({ path: path.join(v2, 'k6'), version: 'v2.2.0', source: 'PATH' });
    expect(await findK6({ ...env, PATH: v1 }), 'only a v1 on PATH: none found').to.equal(undefined);
  });

  it('without k6 and without Go, setup says how to install k6 and exits with the harness-error code', () => {
    const result = runChaos(['setup'], {
      env: { PATH: tmp, K6_BIN: '', CHAOS_TOOLS_DIR: path.join(tmp, 'empty-tools') },
    });
    expect(result.code).to.equal(3);
    expect(result.stderr).to.include('Go is not installed').and.to.include('K6_BIN');
  });
});

describe('k6 discovery: where it looked, what it saw, where setup builds', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'chaos-k6-find-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const put = (dir: string, version: string) => {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'k6');
    writeFileSync(file, `#!/bin/sh\necho 'k6 ${version} (fake)'\n`);
    chmodSync(file, 0o755);
    return file;
  };

  it('a k6 v1 on PATH is named in the error with why it was refused', async () => {
    const v1 = put(path.join(tmp, 'path-v1'), 'v1.8.1');
    const env = { PATH: path.dirname(v1), K6_BIN: '', CHAOS_TOOLS_DIR: path.join(tmp, 'no-tools') };
    let error: unknown;
    try {
      await requireK6(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(HarnessError);
    const message = (error as HarnessError).message;
    expect(message).to.include(`k6 v1.8.1 at ${v1}`);
    expect(message).to.include(`${v1} (PATH): k6 v1.8.1; chaos needs k6 v2`);
    expect(message).to.include(`${path.join(tmp, 'no-tools', 'bin', 'k6')} (tools folder): not there`);
  });

  it('the per-user cache ($XDG_CACHE_HOME/chaos/tools) is looked in, and CHAOS_TOOLS_DIR replaces it', async () => {
    const cache = path.join(tmp, 'xdg');
    const inCache = put(path.join(cache, 'chaos', 'tools', 'bin'), 'v2.7.0');
    expect(userToolsDir({ XDG_CACHE_HOME: cache })).to.equal(path.join(cache, 'chaos', 'tools'));
    expect(userToolsDir({ HOME: '/home/someone' })).to.equal('/home/someone/.cache/chaos/tools');
    expect(await findK6({ PATH: '', K6_BIN: '', XDG_CACHE_HOME: cache })).to.include({
      path: inCache,
      version: 'v2.7.0',
      source: 'tools folder',
    });
    const override = put(path.join(tmp, 'override', 'bin'), 'v2.8.0');
    expect(
      await findK6({ PATH: '', K6_BIN: '', XDG_CACHE_HOME: cache, CHAOS_TOOLS_DIR: path.join(tmp, 'override') }),
    ).to.include({ path: override });
  });

  it('setup builds into the checkout in a checkout, into the per-user cache for an installed package', () => {
    const checkout = mkdtempSync(path.join(tmp, 'checkout-'));
    mkdirSync(path.join(checkout, 'src'));
    writeFileSync(path.join(checkout, 'tsconfig.json'), '{}');
    const installed = mkdtempSync(path.join(tmp, 'installed-'));
    const env = { XDG_CACHE_HOME: path.join(tmp, 'xdg') };
    expect(installKind(checkout)).to.equal('checkout');
    expect(installKind(installed)).to.equal('package');
    expect(toolsDir(env, checkout)).to.equal(path.join(checkout, '.tools'));
    expect(toolsDir(env, installed)).to.equal(path.join(tmp, 'xdg', 'chaos', 'tools'));
    expect(toolsDirs(env, checkout)).to.deep.equal([
      path.join(tmp, 'xdg', 'chaos', 'tools'),
      path.join(checkout, '.tools'),
    ]);
    expect(toolsDirs(env, installed)).to.deep.equal([path.join(tmp, 'xdg', 'chaos', 'tools')]);
  });

  it('the setup hint fits the install: npm run setup in a checkout, chaos setup for a package', () => {
    expect(installHint({}, 'checkout')).to.include('`npm run setup` in the project folder');
    expect(installHint({}, 'package')).to.include('`chaos setup`').and.not.to.include('npm run setup');
  });
});
