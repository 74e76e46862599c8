/**
 * The frontend HorizontalPodAutoscaler a case needs, on either server: the lab seeds one (as
 * production installs have), the real tier has none until a case makes it. `restore()` puts
 * back exactly what was there before: the lab's own HPA as it was, or none.
 */
import { PatchStrategy, setHeaderOptions, type AutoscalingV2Api } from '@kubernetes/client-node';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface FrontendHpa {
  restore(): Promise<void>;
}

export async function useFrontendHpa(
  autoscaling: AutoscalingV2Api,
  namespace: string,
  wanted: { minReplicas: number; maxReplicas: number; annotations?: Record<string, string> },
): Promise<FrontendHpa> {
  const name = 'frontend';
  const existing = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace }).catch(() => undefined);
  if (!existing) {
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace,
      body: {
        metadata: { name, annotations: wanted.annotations },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: wanted.minReplicas,
          maxReplicas: wanted.maxReplicas,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          ],
        },
      },
    });
    return {
      restore: () => autoscaling.deleteNamespacedHorizontalPodAutoscaler({ name, namespace }).then(() => undefined),
    };
  }
  const before = { minReplicas: existing.spec?.minReplicas, maxReplicas: existing.spec!.maxReplicas };
  const added = Object.keys(wanted.annotations ?? {}).filter((key) => !(key in (existing.metadata?.annotations ?? {})));
  if (wanted.annotations)
    await autoscaling.patchNamespacedHorizontalPodAutoscaler(
      {
        name,
        namespace,
        body: {
          metadata: { annotations: wanted.annotations },
          spec: { minReplicas: wanted.minReplicas, maxReplicas: wanted.maxReplicas },
        },
      },
      merge,
    );
  return {
    restore: async () => {
      await autoscaling.patchNamespacedHorizontalPodAutoscaler(
        {
          name,
          namespace,
          body: {
            metadata: { annotations: Object.fromEntries(added.map((key) => [key, null])) },
            spec: before,
          },
        },
        merge,
      );
    },
  };
}
