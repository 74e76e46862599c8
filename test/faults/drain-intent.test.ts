/**
 * Drain does not uncordon what others cordoned (issue 27 item 8). `kubectl cordon` of a Node our
 * drain cordoned writes nothing, so ownership of spec.unschedulable alone cannot tell; anyone
 * acting on the Node while we hold it — a taint, a label, an annotation giving the reason —
 * shows intent, and the revert leaves that Node cordoned, marked `chaos.dev/conflict` with the
 * command to uncordon it, while every other Node of the drain is uncordoned. Against the lab and
 * a real kube-apiserver (its own controllers and kwok write the Nodes too: none of that counts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { conflictAnnotation, readConflictMark } from '../../src/faults/conflict-mark.js';
import { annotation } from '../../src/faults/annotations.js';
import type { Fault } from '../../src/scenario/types.js';
import { apiOf, describeForEachServer, type FaultTestServer } from './support/servers.js';
import { openTestSession, phaseOf, waitSettled } from './support/session.js';

const kubectlPath = fileURLToPath(new URL('../../.tools/bin/kubectl', import.meta.url));

/** Real kubectl as a person runs it (its own field manager, e.g. kubectl-annotate). */
async function kubectl(server: FaultTestServer, cluster: string, args: string[]): Promise<string> {
  const target = server.environment.clusters.find((candidate) => candidate.name === cluster)!;
  const { stdout } = await promisify(execFile)(kubectlPath, [
    '--kubeconfig',
    target.kubeconfig!,
    '--context',
    target.context,
    ...args,
  ]);
  return stdout;
}

describeForEachServer(
  (label) => `drain reads intent before it uncordons, against ${label}`,
  (live) => {
    it('a Node someone annotated while our drain held it stays cordoned and is marked; the others are uncordoned', async () => {
      const s = live();
      const west = apiOf(s, 'west');
      await waitSettled(west, s.namespace);
      const names = (await west.listNodes()).map((node) => node.metadata!.name!).sort();
      expect(names.length, 'west has two Nodes at least').to.be.greaterThan(1);
      const [kept, ...others] = names;
      const t = await openTestSession(s);
      const drain: Fault = {
        id: 'drain',
        type: 'drain',
        clusters: { kind: 'named', names: ['west'] },
        force: false,
        deleteEmptyDirData: false,
        allowDataLoss: false,
      };
      const phase = phaseOf(s, t.runId, [drain]);
      try {
        await t.session.apply(phase);
        // On call: the Node is bad. `kubectl cordon` says "already cordoned" (writes nothing);
        // the reason is written down.
        expect(await kubectl(s, 'west', ['cordon', kept!])).to.match(/already cordoned/);
        await kubectl(s, 'west', ['annotate', 'node', kept!, 'ops.example.com/reason=disk failing']);
        const report = await t.session.revertAll('test end');
        const nodes = new Map((await west.listNodes()).map((node) => [node.metadata!.name!, node]));
        const node = nodes.get(kept!)!;
        expect(node.spec?.unschedulable, 'the Node someone acted on stays cordoned').to.equal(true);
        const annotations = node.metadata?.annotations ?? {};
        expect(annotations['ops.example.com/reason']).to.equal('disk failing');
        expect(annotations[annotation.run]).to.equal(undefined);
        const mark = readConflictMark(annotations);
        expect(mark, `${conflictAnnotation} on ${kept}`).to.include({ run: t.runId, fault: 'drain' });
        expect(mark?.detail).to.match(/kubectl-annotate/);
        expect(mark?.manual).to.match(new RegExp(`uncordon ${kept}$`));
        for (const other of others) {
          expect(
            nodes.get(other)?.spec?.unschedulable,
            `${other} uncordoned: ${report.failures.map((f) => f.message).join('; ')}`,
          ).to.not.equal(true);
          expect(nodes.get(other)?.metadata?.annotations?.[conflictAnnotation]).to.equal(undefined);
        }
        // The run says it could not revert that one (a person decides), and nothing else.
        expect(report.failures.map((failure) => failure.message).join('\n')).to.include(kept!);
        expect(report.failures).to.have.length(1);
      } finally {
        await t.session.revertAll('test end', { verify: false });
        await t.close();
        for (const name of names)
          await west.mergePatchNode(name, {
            spec: { unschedulable: null },
            metadata: {
              annotations: { [conflictAnnotation]: null, 'ops.example.com/reason': null, [annotation.run]: null },
            },
          });
        await waitSettled(west, s.namespace);
      }
    });

    it('a drain nobody else touched is undone in full: its own writes and the cluster reacting to them are not intent', async () => {
      const s = live();
      const west = apiOf(s, 'west');
      await waitSettled(west, s.namespace);
      const t = await openTestSession(s);
      const phase = phaseOf(s, t.runId, [
        {
          id: 'drain',
          type: 'drain',
          clusters: { kind: 'named', names: ['west'] },
          force: false,
          deleteEmptyDirData: false,
          allowDataLoss: false,
        },
      ]);
      try {
        await t.session.apply(phase);
        await t.session.revert(phase);
        const nodes = await west.listNodes();
        expect(nodes.filter((node) => node.spec?.unschedulable).map((node) => node.metadata?.name)).to.deep.equal([]);
        expect(nodes.filter((node) => node.metadata?.annotations?.[conflictAnnotation])).to.deep.equal([]);
      } finally {
        await t.session.revertAll('test end', { verify: false });
        await t.close();
        await waitSettled(west, s.namespace);
      }
    });
  },
);
