/** Environment file format v1 (environments/*.yaml), as a zod schema. */
import { z } from 'zod';

const ingress = z.union(
  [
    z.strictObject({
      service: z.strictObject({
        namespace: z.string().min(1),
        name: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(80),
        scheme: z.enum(['http', 'https']).default('http'),
      }),
    }),
    z.strictObject({ url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }) }),
  ],
  {
    error: 'expected ingress: {service: {namespace, name, port}} (its LoadBalancer address is used) or {url: http://…}',
  },
);

const cluster = z.strictObject({
  context: z.string().min(1, { error: 'expected the kube context of this cluster' }),
  inCluster: z.boolean().optional().meta({
    description:
      "This is the cluster chaos runs in (a CronJob): use the Pod's ServiceAccount token and CA instead of a kubeconfig",
  }),
  kubeconfig: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  ingress,
  istioConfigCluster: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .optional()
    .meta({
      description:
        'The cluster of this environment that holds the Istio config of this cluster (primary-remote or external control plane); Istio faults are written there',
    }),
});

const durationText = z
  .string()
  .regex(/^\d+(?:\.\d+)?(?:ms|s|m)$/, { error: 'expected a duration such as 5s or 500ms' });

export const environmentSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1, { error: 'expected version: 1' }).default(1),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a name of lower-case letters, digits and "-"' }),
  description: z.string().optional(),
  namespace: z.string().min(1).meta({ description: 'App namespace: the default namespace of every fault' }),
  host: z.string().min(1).optional().meta({ description: 'Host header for every request' }),
  kubeconfig: z.string().min(1).optional().meta({ description: 'Default kubeconfig file for every cluster' }),
  clusters: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/), cluster)
    .refine((clusters) => Object.keys(clusters).length > 0, { error: 'expected at least one cluster' })
    .refine((clusters) => !('all' in clusters), { error: '"all" is reserved: scenarios use it to mean every cluster' }),
  servedBy: z
    .union(
      [
        z.strictObject({ upstreamHeader: z.string().regex(/^[A-Za-z0-9-]+$/) }),
        z.strictObject({ header: z.string().regex(/^[A-Za-z0-9-]+$/) }),
      ],
      {
        error:
          'expected servedBy: {upstreamHeader: x-chaos-upstream-host} (deploy/served-by-envoyfilter.yaml) or {header: <a header naming the cluster>}',
      },
    )
    .optional()
    .meta({ description: 'How the serving cluster is learned; absent: "served by: not measured"' }),
  allowContexts: z
    .array(z.string().min(1))
    .default([])
    .meta({ description: 'Kube contexts chaos may mutate without --yes' }),
  requireGuard: z.boolean({ error: 'expected true or false' }).default(false).meta({
    description: 'Every run refuses to start unless a `chaos guard` is active in every cluster of this environment',
  }),
  lock: z
    .strictObject({
      lease: durationText.default('30s').meta({
        description:
          "Duration of a run's lock Lease (renewed every third of it); a guard reverts a run whose Lease went quiet for this plus its grace",
      }),
    })
    .optional(),
  istio: z
    .strictObject({
      convergence: z.enum(['status', 'settle'], { error: 'expected status or settle' }).default('settle').meta({
        description:
          'status: wait for the VirtualService status istiod writes with PILOT_ENABLE_STATUS (observedGeneration, Reconciled); settle: no signal, wait `settle` after each change',
      }),
      settle: durationText
        .default('5s')
        .meta({ description: 'Wait after each Istio change when convergence is settle' }),
    })
    .optional(),
  protected: z
    .strictObject({
      namespaces: z.array(z.string().min(1)).optional(),
      labels: z
        .array(z.string().regex(/^[A-Za-z0-9._/-]+=[A-Za-z0-9._-]*$/, { error: 'expected key=value' }))
        .optional(),
    })
    .optional()
    .meta({
      description:
        'Pods a drain never evicts: namespaces and key=value labels (replace the defaults: kube-system, istio-system, gateways, istiod, the harness)',
    }),
});
