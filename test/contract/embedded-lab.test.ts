/**
 * The contract suite against the embedded lab's Kubernetes API (its central cluster), so every
 * case that passes on the real kube-apiserver must pass here too.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { startLab } from '../../src/lab/index.js';
import { describeKubeContract } from './kube-contract.js';

describeKubeContract('the embedded lab', async () => {
  // Free ingress ports: other suites may hold the default 8080 on the same machine.
  const lab = await startLab({ ingressPort: 0 });
  const [first] = lab.clusters;
  if (!first) throw new Error('the lab started no cluster');
  const config = new KubeConfig();
  config.loadFromString(lab.kubeconfig());
  config.setCurrentContext(first.context);
  return {
    kubeconfigYaml: config.exportConfig(),
    traits: { disruptionController: true, autoscalingV2: true },
    stop: () => lab.stop(),
  };
});
