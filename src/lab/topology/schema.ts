/**
 * The lab topology file format: clusters, network, ingress, services with their replicas,
 * service time, capacity and calls, and the Istio objects written into every cluster.
 */
import { z } from 'zod';

const dnsLabel = z
  .string()
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label (letters, digits, "-"; starts with a letter)');
const positiveMs = z.number().positive();

const serviceTime = z.union([
  z.object({ lognormal: z.object({ medianMs: positiveMs, p99Ms: positiveMs }).strict() }).strict(),
  z.object({ fixed: z.object({ ms: z.number().min(0), jitterMs: z.number().min(0).default(0) }).strict() }).strict(),
]);

const call = z.object({ service: dnsLabel, path: z.string().startsWith('/'), method: z.string().optional() }).strict();

const route = z
  .object({
    exact: z.string().startsWith('/').optional(),
    prefix: z.string().startsWith('/').optional(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).optional(),
    parallel: z.boolean().default(false),
    calls: z.array(call).default([]),
    noToken: z.enum(['redirect', 'reject', 'login-page']).optional(),
    withToken: z.enum(['to-home']).optional(),
    page: z.enum(['home', 'login']).optional(),
    redirect: z
      .object({
        to: z.string().startsWith('/'),
        failed: z.string().startsWith('/'),
        setToken: z.boolean().optional(),
        clearToken: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((r) => (r.exact === undefined) !== (r.prefix === undefined), {
    message: 'a route needs exactly one of "exact" or "prefix"',
  });

const service = z
  .object({
    workload: z.enum(['Deployment', 'StatefulSet']).default('Deployment'),
    port: z.number().int().min(1).max(65535).default(8080),
    targetPort: z.number().int().min(1).max(65535).default(8080),
    image: z.string().optional(),
    replicas: z.record(z.string(), z.number().int().min(0)),
    serviceTime: serviceTime,
    capacity: z.object({ concurrency: z.number().int().min(1), queue: z.number().int().min(0) }).strict(),
    routes: z.array(route).default([]),
    /** A HorizontalPodAutoscaler (autoscaling/v2, CPU utilization) in every cluster that runs it. */
    autoscaling: z
      .object({
        minReplicas: z.number().int().min(1),
        maxReplicas: z.number().int().min(1),
        cpuUtilization: z.number().int().min(1).max(100).default(80),
      })
      .strict()
      .optional(),
  })
  .strict();

const istioObject = z
  .object({ name: dnsLabel, namespace: dnsLabel.optional(), spec: z.record(z.string(), z.unknown()) })
  .strict();

export const topologySchema = z
  .object({
    namespace: dnsLabel,
    clusters: z.record(
      dnsLabel,
      z
        .object({ region: z.string().min(1), zone: z.string().min(1), nodes: z.number().int().min(1).max(100) })
        .strict(),
    ),
    network: z.object({ interRegionLatencyMs: z.number().min(0) }).strict(),
    ingress: z.object({ namespace: dnsLabel, service: dnsLabel, gateway: dnsLabel }).strict(),
    services: z.record(dnsLabel, service),
    istio: z
      .object({
        virtualServices: z.array(istioObject).default([]),
        destinationRules: z.array(istioObject).default([]),
        envoyFilters: z.array(istioObject).default([]),
      })
      .strict()
      .default({ virtualServices: [], destinationRules: [], envoyFilters: [] }),
  })
  .strict();

export type TopologyInput = z.infer<typeof topologySchema>;
