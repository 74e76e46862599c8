/** Nodes: cordon (strategic merge, as kubectl does) and uncordon (merge), as the drain fault does. */
import { PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { expect } from 'chai';
import { expectApiError, expectFailureStatus, uniqueName, type ContractContext } from '../contract-context.js';

function node(name: string): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'chaos.example.io/contract': 'true' } },
    // A taint no contract Pod tolerates, so no server schedules anything here.
    spec: { taints: [{ key: 'chaos.example.io/contract', value: 'true', effect: 'NoSchedule' }] },
  };
}

export function nodeCases(context: () => ContractContext): void {
  describe('cordon', () => {
    const created: string[] = [];
    after(async () => {
      const { core } = context();
      for (const name of created) await core.deleteNode({ name }).catch(() => undefined);
    });

    it('cordons a Node with a strategic merge patch and uncordons it with a merge patch', async () => {
      const { core } = context();
      const name = uniqueName('contract-node');
      await core.createNode({ body: node(name) });
      created.push(name);
      const cordoned = await core.patchNode(
        { name, body: { spec: { unschedulable: true } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      expect(cordoned.spec?.unschedulable).to.equal(true);
      expect(cordoned.spec?.taints?.map((taint) => taint.key)).to.include('chaos.example.io/contract');
      const uncordoned = await core.patchNode(
        { name, body: { spec: { unschedulable: false } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      expect(uncordoned.spec?.unschedulable ?? false).to.equal(false);
      const read = await core.readNode({ name });
      expect(read.spec?.unschedulable ?? false).to.equal(false);
    });

    it('cordons a Node with a merge patch and keeps an annotation of the prior state', async () => {
      const { core } = context();
      const name = uniqueName('contract-node');
      await core.createNode({ body: node(name) });
      created.push(name);
      const cordoned = await core.patchNode(
        {
          name,
          body: {
            metadata: { annotations: { 'chaos.example.io/was-unschedulable': 'false' } },
            spec: { unschedulable: true },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      expect(cordoned.spec?.unschedulable).to.equal(true);
      expect(cordoned.metadata?.annotations?.['chaos.example.io/was-unschedulable']).to.equal('false');
    });

    it('lists Nodes by label selector', async () => {
      const { core } = context();
      const name = uniqueName('contract-node');
      await core.createNode({ body: node(name) });
      created.push(name);
      const list = await core.listNode({ labelSelector: 'chaos.example.io/contract=true' });
      expect(list.items.map((item) => item.metadata?.name)).to.include(name);
      expect(list.metadata?.resourceVersion).to.be.a('string').and.not.equal('');
    });

    it('lists Pods across namespaces, and those of one Node by the spec.nodeName field selector', async () => {
      const { core, namespace } = context();
      const nodeName = uniqueName('contract-node');
      await core.createNode({ body: node(nodeName) });
      created.push(nodeName);
      const name = uniqueName('bound-pod');
      await core.createNamespacedPod({
        namespace,
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, labels: { app: name } },
          spec: {
            nodeName,
            tolerations: [{ key: 'chaos.example.io/contract', operator: 'Exists' }],
            containers: [{ name: 'app', image: 'registry.example/contract/app:1.0.0' }],
          },
        },
      });
      const all = await core.listPodForAllNamespaces({});
      expect(all.items.map((item) => `${item.metadata?.namespace}/${item.metadata?.name}`)).to.include(
        `${namespace}/${name}`,
      );
      const onNode = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` });
      expect(onNode.items.map((item) => item.metadata?.name)).to.deep.equal([name]);
      const byLabel = await core.listNamespacedPod({ namespace, labelSelector: `app=${name}` });
      expect(byLabel.items.map((item) => item.spec?.nodeName)).to.deep.equal([nodeName]);
      await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
    });

    it('answers 404 NotFound when patching a missing Node', async () => {
      const { core } = context();
      const status = await expectApiError(
        core.patchNode(
          { name: uniqueName('absent-node'), body: { spec: { unschedulable: true } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
        404,
      );
      expectFailureStatus(status, 404, 'NotFound');
    });
  });
}
