/**
 * The contract suite against a real kube-apiserver + etcd (no controllers: a bare control plane,
 * like envtest), with Istio's CRDs installed. Needs `bash scripts/build-kube-tools.sh` first;
 * without the binaries this fails, it never skips.
 */
import { startRealCluster } from '../support/real-cluster.js';
import { describeKubeContract } from './kube-contract.js';

describeKubeContract('a real kube-apiserver', async () => {
  const cluster = await startRealCluster('contract');
  return {
    kubeconfigYaml: cluster.kubeconfigYaml('real-contract'),
    // A bare control plane: no kube-controller-manager, so no disruption controller.
    traits: { disruptionController: false, autoscalingV2: true },
    stop: () => cluster.stop(),
  };
});
