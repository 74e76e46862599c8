/**
 * The shared Kubernetes API contract suite (test/contract/), run against the lab's central
 * cluster: a case that passes on the real kube-apiserver must pass here too.
 */
import { describeKubeContract } from '../contract/kube-contract.js';
import { startTestLab } from './lab-test-kit.js';

describeKubeContract('the lab (central)', async () => {
  const { lab } = await startTestLab({ propagationDelayMs: 50, timing: { startupMs: 50, readinessMs: 50, terminationGraceMs: 300 } });
  return { kubeconfigYaml: lab.kubeconfig(), stop: () => lab.stop() };
});
