/**
 * Kubeconfig as kubectl reads it: `~` expanded, ':'-separated lists merged (first wins),
 * files missing from KUBECONFIG skipped, --context per cluster, inCluster from a Pod's
 * ServiceAccount files, and `chaos validate --env` naming every missing context.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../../src/errors/errors.js';
import { expandHome, kubeconfigFiles, loadKubeConfig, serverOf } from '../../src/kube/kube-config.js';
import {
  applyConnectionOverrides,
  checkContexts,
  parseContextOverrides,
} from '../../src/environment/connection-overrides.js';
import type { Environment } from '../../src/environment/types.js';

/** A kubeconfig with one context per name, each on its own server; `current` is its current-context. */
function kubeconfig(contexts: Record<string, string>, current?: string): string {
  const names = Object.keys(contexts);
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: names.map((name) => ({ name: `${name}-cluster`, cluster: { server: contexts[name] } })),
    users: names.map((name) => ({ name: `${name}-user`, user: { token: `token-of-${name}` } })),
    contexts: names.map((name) => ({ name, context: { cluster: `${name}-cluster`, user: `${name}-user` } })),
    'current-context': current ?? names[0],
  });
}

const saved = { ...process.env };

describe('kubeconfig like kubectl', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-kubeconfig-'));
  });
  afterEach(() => {
    for (const key of ['HOME', 'KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'])
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    rmSync(dir, { recursive: true, force: true });
  });

  it('expands ~ to the home directory, as a shell does for kubectl', () => {
    expect(expandHome('~/.kube/config', '/home/sre')).to.equal('/home/sre/.kube/config');
    expect(expandHome('~', '/home/sre')).to.equal('/home/sre');
    expect(expandHome('./~/x', '/home/sre')).to.equal('./~/x');
    process.env.HOME = dir;
    mkdirSync(path.join(dir, '.kube'));
    writeFileSync(path.join(dir, '.kube', 'config'), kubeconfig({ central: 'https://127.0.0.1:6443' }));
    const config = loadKubeConfig(
      { cluster: 'central', context: 'central', source: { kind: 'file', file: '~/.kube/config' } },
      '/somewhere/else',
    );
    expect(serverOf(config)).to.equal('https://127.0.0.1:6443');
  });

  it('reads a ":"-separated list: the first file to name a context wins, missing files are skipped', () => {
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    writeFileSync(a, kubeconfig({ central: 'https://127.0.0.1:1001' }));
    writeFileSync(b, kubeconfig({ central: 'https://127.0.0.1:9999', west: 'https://127.0.0.1:1002' }, 'west'));
    const list = [a, path.join(dir, 'missing.yaml'), b].join(path.delimiter);
    expect(kubeconfigFiles(list, dir)).to.deep.equal({ files: [a, b], missing: [path.join(dir, 'missing.yaml')] });
    const central = loadKubeConfig({ cluster: 'central', context: 'central', source: { kind: 'file', file: list } });
    expect(serverOf(central), 'first file wins').to.equal('https://127.0.0.1:1001');
    const west = loadKubeConfig({ cluster: 'west', context: 'west', source: { kind: 'file', file: list } });
    expect(serverOf(west)).to.equal('https://127.0.0.1:1002');
  });

  it('skips files of KUBECONFIG that do not exist (kubectl does), and fails only when none does', () => {
    const b = path.join(dir, 'b.yaml');
    writeFileSync(b, kubeconfig({ west: 'https://127.0.0.1:1002' }));
    process.env.KUBECONFIG = [path.join(dir, 'gone.yaml'), b].join(path.delimiter);
    const west = loadKubeConfig({ cluster: 'west', context: 'west', source: { kind: 'default' } });
    expect(serverOf(west)).to.equal('https://127.0.0.1:1002');
    process.env.KUBECONFIG = path.join(dir, 'gone.yaml');
    expect(() => loadKubeConfig({ cluster: 'west', context: 'west', source: { kind: 'default' } }))
      .to.throw(InputError)
      .with.property('message')
      .that.matches(/none of the files in KUBECONFIG exists/);
  });

  it("--context CLUSTER=CONTEXT replaces one cluster's context; an unknown cluster or a bad value is refused", () => {
    const environment: Environment = {
      file: 'env.yaml',
      name: 'two',
      namespace: 'bank',
      clusters: [
        { name: 'central', context: 'old-central', ingress: { kind: 'url', url: 'http://127.0.0.1:1' } },
        { name: 'west', context: 'old-west', ingress: { kind: 'url', url: 'http://127.0.0.1:2' } },
      ],
      allowContexts: [],
      builtIn: false,
    };
    const contexts = parseContextOverrides(['central=gke_p_us-central1_c']);
    const changed = applyConnectionOverrides(environment, { contexts, kubeconfig: '~/other' });
    expect(changed.clusters.map((c) => [c.name, c.context, c.kubeconfig])).to.deep.equal([
      ['central', 'gke_p_us-central1_c', '~/other'],
      ['west', 'old-west', '~/other'],
    ]);
    expect(() => applyConnectionOverrides(environment, { contexts: { east: 'x' } })).to.throw(/east/);
    expect(() => parseContextOverrides(['central'])).to.throw(/expected CLUSTER=CONTEXT/);
  });

  it('inCluster: the ServiceAccount token and CA of the Pod, the API from KUBERNETES_SERVICE_*', async () => {
    const root = path.join(dir, 'serviceaccount');
    mkdirSync(root);
    writeFileSync(path.join(root, 'token'), 'pod-token');
    // Only the built config is inspected here; test/e2e/connection-flags.test.ts connects to a real
    // kube-apiserver this way and shows a wrong CA failing.
    writeFileSync(path.join(root, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----\n');
    writeFileSync(path.join(root, 'namespace'), 'chaos');
    process.env.KUBERNETES_SERVICE_HOST = '10.0.0.1';
    process.env.KUBERNETES_SERVICE_PORT = '443';
    const config = loadKubeConfig({ cluster: 'central', context: 'here', source: { kind: 'in-cluster', root } });
    expect(serverOf(config)).to.equal('https://10.0.0.1:443');
    expect(config.getCurrentCluster()?.caFile).to.equal(path.join(root, 'ca.crt'));
    expect(config.getContextObject('here')?.namespace).to.equal('chaos');
    const options: { headers?: Record<string, string> } = {};
    await config.applyToHTTPSOptions(options);
    expect(options.headers?.Authorization).to.equal('Bearer pod-token');
    delete process.env.KUBERNETES_SERVICE_HOST;
    expect(() =>
      loadKubeConfig({ cluster: 'central', context: 'here', source: { kind: 'in-cluster', root } }),
    ).to.throw(/not running in a Pod/);
  });

  it('chaos validate --env: every missing context is named', () => {
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, kubeconfig({ central: 'https://127.0.0.1:1001' }));
    const environment: Environment = {
      file: 'env.yaml',
      name: 'two',
      namespace: 'bank',
      clusters: [
        { name: 'central', context: 'central', kubeconfig: file, ingress: { kind: 'url', url: 'http://127.0.0.1:1' } },
        { name: 'west', context: 'gke-west', kubeconfig: file, ingress: { kind: 'url', url: 'http://127.0.0.1:2' } },
      ],
      allowContexts: [],
      builtIn: false,
    };
    expect(() => checkContexts(environment, dir))
      .to.throw(InputError)
      .with.property('message')
      .that.matches(/1 of 2 cluster\(s\) cannot connect:\n {2}context "gke-west" of cluster west is not in kubeconfig/);
    writeFileSync(file, kubeconfig({ central: 'https://127.0.0.1:1001', 'gke-west': 'https://127.0.0.1:1002' }));
    expect(() => checkContexts(environment, dir)).not.to.throw();
  });
});
