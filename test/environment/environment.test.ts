import { expect } from 'chai';
import { InputError, formatIssue } from '../../src/errors/errors.js';
import { assertMayMutate } from '../../src/environment/context-allow-list.js';
import { labEnvironment } from '../../src/environment/lab-environment.js';
import { readEnvironment } from '../../src/environment/read-environment.js';
import { validateEnvironment } from '../../src/environment/validate-environment.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';

const env = (text: string) => validateEnvironment(parseYamlSource('env.yaml', text));

describe('environments', () => {
  it('lab is built in: two clusters, loopback ingresses, always allowed', () => {
    const lab = labEnvironment();
    expect(lab.clusters.map((cluster) => [cluster.name, cluster.context, cluster.ingress])).to.deep.equal([
      ['central', 'lab-central', { kind: 'url', url: 'http://127.0.0.11:8080' }],
      ['west', 'lab-west', { kind: 'url', url: 'http://127.0.0.12:8080' }],
    ]);
    expect(() => assertMayMutate(lab, false)).not.to.throw();
  });

  it('reads the shipped reference environment with its gateway Services', () => {
    const gke = readEnvironment('bank-of-anthos-gke');
    expect(gke.namespace).to.equal('bank-of-anthos');
    expect(gke.clusters.map((cluster) => cluster.ingress)).to.deep.equal([
      { kind: 'service', namespace: 'asm-gateways', name: 'istio-ingressgateway', port: 80, scheme: 'http' },
      { kind: 'service', namespace: 'asm-gateways', name: 'istio-ingressgateway', port: 80, scheme: 'http' },
    ]);
  });

  it('refuses to touch contexts that are not on the allow-list, unless --yes', () => {
    const prod = env(
      'name: prod\nnamespace: app\nclusters:\n  a: {context: ctx-a, ingress: {url: "http://127.0.0.1:1"}}\n  b: {context: ctx-b, ingress: {url: "http://127.0.0.1:2"}}\nallowContexts: [ctx-a]\n',
    );
    expect(() => assertMayMutate(prod, false)).to.throw(
      InputError,
      /refusing to touch b \(context ctx-b\): not on the allow-list of environment "prod"/,
    );
    expect(() => assertMayMutate(prod, true)).not.to.throw();
    expect(() => assertMayMutate({ ...prod, allowContexts: ['ctx-a', 'ctx-b'] }, false)).not.to.throw();
  });

  it('reports every problem of an environment file with its line', () => {
    let error: unknown;
    try {
      env('name: Bad_Name\nnamespace: app\nclusters:\n  central:\n    contxt: x\n    ingress: {url: "ftp://x"}\n');
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(InputError);
    const issues = (error as InputError).issues.map(formatIssue);
    expect(issues).to.include(
      'env.yaml:1:7: name: expected a name of lower-case letters, digits and "-" (got "Bad_Name")',
    );
    expect(
      issues.some(
        (issue) =>
          issue.startsWith('env.yaml:5:5: clusters.central.contxt: unknown field "contxt"') &&
          issue.includes('did you mean `context`?'),
      ),
    ).to.equal(true);
  });

  it('reserves the cluster name "all"', () => {
    expect(() =>
      env('name: x\nnamespace: app\nclusters:\n  all: {context: c, ingress: {url: "http://127.0.0.1:1"}}\n'),
    ).to.throw(InputError);
  });
});
