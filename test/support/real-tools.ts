/**
 * Where the real-Kubernetes test tier finds its binaries and data files: `.tools/` of the
 * repository, built by `scripts/build-kube-tools.sh`. A missing file is an error, never a
 * skip: a tier that quietly skips itself hides that it did not run.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const buildCommand = 'bash scripts/build-kube-tools.sh';

export interface KubeTools {
  binDir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  kwok: string;
  /** Istio's CRDs, extracted from the Go module istio.io/api. */
  istioCrds: string;
  /** kwok's default node and pod stages, extracted from the kwok module. */
  kwokStages: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `CHAOS_KUBE_TOOLS` may point at another `.tools`-shaped folder (bin/, istio/, kwok/). */
function toolsRoot(): string {
  return process.env.CHAOS_KUBE_TOOLS ?? path.join(repoRoot, '.tools');
}

export function findKubeTools(): KubeTools {
  const root = toolsRoot();
  const binDir = path.join(root, 'bin');
  const tools: KubeTools = {
    binDir,
    etcd: path.join(binDir, 'etcd'),
    kubeApiserver: path.join(binDir, 'kube-apiserver'),
    kubeControllerManager: path.join(binDir, 'kube-controller-manager'),
    kubeScheduler: path.join(binDir, 'kube-scheduler'),
    kubectl: path.join(binDir, 'kubectl'),
    kwok: path.join(binDir, 'kwok'),
    istioCrds: path.join(root, 'istio', 'crds.yaml'),
    kwokStages: path.join(root, 'kwok', 'stages.yaml'),
  };
  const missing: string[] = [];
  for (const [key, file] of Object.entries(tools)) {
    if (key === 'binDir') continue;
    const mode = file.endsWith('.yaml') ? constants.R_OK : constants.X_OK;
    try {
      accessSync(file, mode);
    } catch {
      missing.push(path.relative(repoRoot, file) || file);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `The real Kubernetes test tier needs tools that are not built: ${missing.join(', ')}. ` +
        `Run \`${buildCommand}\` from the repository root (it builds them from the Go module proxy ` +
        `into .tools/ once, then reuses them).`,
    );
  }
  return tools;
}
