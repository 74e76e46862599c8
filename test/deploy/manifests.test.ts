/**
 * Scheduled runs: the CronJob and the RBAC apply cleanly to a real kube-apiserver (server-side
 * apply, dry run), the CronJob's environment is a valid environment file, the image builds the
 * pinned k6 the way `chaos setup` does, and the GitHub workflow runs the nightly suite and
 * publishes JUnit and the HTML reports.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { validateEnvironment } from '../../src/environment/validate-environment.js';
import { pinnedK6Version } from '../../src/load/k6-binary.js';
import { parseYamlSource } from '../../src/input/yaml-source.js';
import { projectRoot } from '../support/cli.js';
import { startRealCluster, type RealCluster } from '../support/real-cluster.js';

const deploy = (file: string) => path.join(projectRoot, 'deploy', file);

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

const manifests = (file: string): Manifest[] =>
  parseAllDocuments(readFileSync(deploy(file), 'utf8'))
    .map((doc) => doc.toJS() as Manifest)
    .filter(Boolean);

describe('scheduled runs: deploy/ manifests against a real kube-apiserver', function () {
  this.timeout(300_000);
  let cluster: RealCluster;
  let dir: string;
  let kubectl: (...args: string[]) => { code: number | null; out: string };

  before(async () => {
    cluster = await startRealCluster('deploy', { istioCrds: false });
    dir = mkdtempSync(path.join(tmpdir(), 'chaos-deploy-'));
    const kubeconfig = path.join(dir, 'admin.kubeconfig');
    writeFileSync(kubeconfig, cluster.kubeconfigYaml('admin'), { mode: 0o600 });
    kubectl = (...args) => {
      const result = spawnSync(path.join(cluster.binDir, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: result.status, out: `${result.stdout}${result.stderr}` };
    };
    // The namespaces the manifests expect to exist: the app's and the gateway's (and the harness's own,
    // which rbac.yaml creates, but a dry run creates nothing the CronJob could then be put in).
    for (const namespace of ['bank-of-anthos', 'asm-gateways', 'chaos-system'])
      expect(kubectl('create', 'namespace', namespace).code).to.equal(0);
  });
  after(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('rbac.yaml and cronjob.yaml apply cleanly with server-side apply, dry run', () => {
    const result = kubectl(
      'apply',
      '--server-side',
      '--dry-run=server',
      '--field-manager=chaos-test',
      '-f',
      deploy('rbac.yaml'),
      '-f',
      deploy('cronjob.yaml'),
    );
    expect(result.code, result.out).to.equal(0);
    for (const line of [
      'namespace/chaos-system serverside-applied (server dry run)',
      'serviceaccount/chaos serverside-applied (server dry run)',
      'role.rbac.authorization.k8s.io/chaos-run serverside-applied (server dry run)',
      'role.rbac.authorization.k8s.io/chaos-distributed-load serverside-applied (server dry run)',
      'role.rbac.authorization.k8s.io/chaos-ingress serverside-applied (server dry run)',
      'clusterrole.rbac.authorization.k8s.io/chaos-run-cluster serverside-applied (server dry run)',
      'clusterrolebinding.rbac.authorization.k8s.io/chaos-run-cluster serverside-applied (server dry run)',
      'configmap/chaos-environment serverside-applied (server dry run)',
      'persistentvolumeclaim/chaos-reports serverside-applied (server dry run)',
      'cronjob.batch/chaos-nightly serverside-applied (server dry run)',
    ])
      expect(result.out).to.include(line);
    // A dry run changes nothing.
    expect(kubectl('get', 'cronjob', '-n', 'chaos-system', 'chaos-nightly').code).to.not.equal(0);
  });

  it('deploy/guard/ applies cleanly with server-side apply, dry run', () => {
    const files = ['rbac.yaml', 'guard.yaml'].flatMap((file) => ['-f', deploy(`guard/${file}`)]);
    const result = kubectl('apply', '--server-side', '--dry-run=server', '--field-manager=chaos-test', ...files);
    expect(result.code, result.out).to.equal(0);
    for (const object of [
      'serviceaccount/chaos-guard',
      'clusterrole.rbac.authorization.k8s.io/chaos-guard',
      'clusterrolebinding.rbac.authorization.k8s.io/chaos-guard',
      'role.rbac.authorization.k8s.io/chaos-guard-leases',
      'rolebinding.rbac.authorization.k8s.io/chaos-guard-leases',
      'priorityclass.scheduling.k8s.io/chaos-guard',
      'configmap/chaos-guard-environment',
      'deployment.apps/chaos-guard',
      'poddisruptionbudget.policy/chaos-guard',
    ])
      expect(result.out).to.include(`${object} serverside-applied (server dry run)`);
  });

  it('the CronJob runs the nightly suite unattended, as the chaos ServiceAccount, with time to revert on SIGTERM', () => {
    const cronJob = manifests('cronjob.yaml').find((m) => m.kind === 'CronJob')!;
    const job = cronJob.spec as {
      concurrencyPolicy: string;
      jobTemplate: {
        spec: {
          backoffLimit: number;
          template: {
            spec: {
              serviceAccountName: string;
              terminationGracePeriodSeconds: number;
              containers: Array<{ args: string[]; env: Array<{ name: string; value: string }> }>;
            };
          };
        };
      };
    };
    expect(job.concurrencyPolicy).to.equal('Forbid');
    const pod = job.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).to.equal('chaos');
    expect(pod.terminationGracePeriodSeconds).to.be.at.least(60);
    expect(pod.containers[0]!.args.slice(0, 2)).to.deep.equal(['run', 'nightly']);
    expect(pod.containers[0]!.env).to.deep.include({ name: 'CI', value: 'true' });
    expect(job.jobTemplate.spec.backoffLimit).to.equal(0);
  });

  it('the CronJob undoes a killed night first (recover as an init container, same environment and reports)', () => {
    const cronJob = manifests('cronjob.yaml').find((m) => m.kind === 'CronJob')!;
    const pod = (
      cronJob.spec as {
        jobTemplate: {
          spec: {
            template: { spec: { initContainers: Array<{ args: string[] }>; containers: Array<{ args: string[] }> } };
          };
        };
      }
    ).jobTemplate.spec.template.spec;
    const recover = pod.initContainers[0]!.args;
    const run = pod.containers[0]!.args;
    expect(recover[0]).to.equal('recover');
    expect(recover[recover.indexOf('--env') + 1]).to.equal(run[run.indexOf('--env') + 1]);
    expect(recover[recover.indexOf('--reports') + 1]).to.equal(run[run.indexOf('--reports') + 1]);
  });

  it('the GitHub workflow runs the suite as the step process (exec) and recovers in an always() step', () => {
    const workflow = parse(readFileSync(path.join(projectRoot, '.github/workflows/nightly.yml'), 'utf8')) as {
      jobs: { nightly: { steps: Array<{ name?: string; if?: string; run?: string }> } };
    };
    const steps = workflow.jobs.nightly.steps;
    const run = steps.findIndex((step) => /chaos\.js run /.test(step.run ?? ''));
    const recover = steps.findIndex((step) => /chaos\.js recover /.test(step.run ?? ''));
    expect(steps[run]!.run).to.match(/^exec node bin\/chaos\.js run /);
    expect(recover).to.be.greaterThan(run);
    expect(steps[recover]!.if).to.equal('always()');
  });

  it("the CronJob's environment is a valid environment file that allows its own contexts", () => {
    const map = manifests('cronjob.yaml').find((m) => m.kind === 'ConfigMap')!;
    const [name, text] = Object.entries(map.data!)[0]!;
    const environment = validateEnvironment(parseYamlSource(name, text));
    expect(environment.name).to.equal(name.replace(/\.yaml$/, ''));
    expect(environment.allowContexts.sort()).to.deep.equal(environment.clusters.map((c) => c.context).sort());
    const args = (
      manifests('cronjob.yaml').find((m) => m.kind === 'CronJob')!.spec as {
        jobTemplate: { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } };
      }
    ).jobTemplate.spec.template.spec.containers[0]!.args;
    expect(args[args.indexOf('--env') + 1]).to.equal(environment.name);
  });

  it('the RBAC grants only namespaced rules but for Nodes and the lists of the leftover scan; no wildcard, no secrets', () => {
    const roles = manifests('rbac.yaml').filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole') as Array<
      Manifest & { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> }
    >;
    const clusterRules = roles.filter((r) => r.kind === 'ClusterRole').flatMap((r) => r.rules);
    expect(clusterRules.map((rule) => `${rule.resources.join(',')}:${rule.verbs.join(',')}`)).to.deep.equal([
      // No Node patch by default: only a whole-cluster drain cordons (issue 27 item 7).
      'nodes:get,list',
      'virtualservices:list',
      'services:list',
      'deployments,statefulsets:list',
      'horizontalpodautoscalers:list',
      'scaledobjects:list',
      'namespaces:get',
    ]);
    for (const rule of roles.flatMap((r) => r.rules)) {
      expect([...rule.verbs, ...rule.resources, ...rule.apiGroups]).not.to.include('*');
      expect(rule.resources).not.to.include('secrets');
      expect(rule.verbs).not.to.include.members(['watch', 'escalate', 'bind', 'impersonate']);
    }
  });

  it('the image builds k6 with the pinned version through the same wrapper module as chaos setup', () => {
    const dockerfile = readFileSync(deploy('Dockerfile'), 'utf8');
    expect(/^ARG K6_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).to.equal(pinnedK6Version);
    expect(dockerfile)
      .to.match(/FROM \$\{NODE_IMAGE\}\n/)
      .and.to.match(/ARG NODE_IMAGE=node:20-/);
    expect(dockerfile).to.include('sh /usr/local/bin/build-k6 "${K6_VERSION}" /out/k6');
    const script = readFileSync(deploy('build-k6.sh'), 'utf8');
    expect(script)
      .to.include('\tgo.k6.io/k6/v2 $version\n')
      .and.to.include('go build -trimpath -o "$out" go.k6.io/k6/v2');
    // The same pinned indirect requirements as `chaos setup` writes.
    const pins = [
      ...readFileSync(path.join(projectRoot, 'src/load/k6-binary.ts'), 'utf8').matchAll(
        /'([\w./-]+ v[\w.-]+ \/\/ indirect)'/g,
      ),
    ].map((m) => m[1]!);
    expect(pins).to.have.length.greaterThan(0);
    for (const pin of pins) expect(script).to.include(`\t${pin}\n`);
  });

  it("deploy/build-k6.sh builds a k6 that reports the pinned version (the Dockerfile's k6 stage, run here with the local Go)", function () {
    this.timeout(900_000);
    const out = path.join(dir, 'k6');
    const result = spawnSync('sh', [deploy('build-k6.sh'), pinnedK6Version, out], {
      encoding: 'utf8',
      timeout: 880_000,
    });
    expect(result.status, `${result.stdout}${result.stderr}`).to.equal(0);
    expect(result.stdout).to.include(`k6 ${pinnedK6Version} `);
  });

  it('the GitHub workflow runs the nightly suite against an environment and publishes JUnit and the HTML reports', () => {
    const workflow = parse(readFileSync(path.join(projectRoot, '.github/workflows/nightly.yml'), 'utf8')) as {
      on: Record<string, unknown>;
      jobs: Record<
        string,
        { steps: Array<{ run?: string; uses?: string; with?: { path?: string; name?: string }; if?: string }> }
      >;
    };
    expect(workflow.on).to.have.keys('schedule', 'workflow_dispatch');
    const steps = workflow.jobs.nightly!.steps;
    expect(steps.some((s) => /node bin\/chaos\.js run "\$CHAOS_SUITE" --env "\$CHAOS_ENV"/.test(s.run ?? ''))).to.equal(
      true,
    );
    const uploads = steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads.every((s) => s.if === 'always()')).to.equal(true);
    expect(uploads.map((s) => s.with?.path ?? '').join('\n'))
      .to.include('reports/*/junit.xml')
      .and.to.include('reports/*/report.html')
      .and.to.include('reports/index.html');
  });
});
