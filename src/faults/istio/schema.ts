/** The Istio faults in a scenario file (`istio-delay`, `istio-abort`), and their normalized form. */
import { z } from 'zod';
import { duration, k8sName, percentage } from '../../input/schema-parts.js';
import { parsePercentage } from '../../input/units.js';
import { checked, checkedMs, faultCommon, type FaultBase, type NormalizeContext } from '../fault-schema.js';

const istioTarget = {
  host: k8sName.meta({ description: 'The service host the VirtualService routes, e.g. frontend or balancereader' }),
  via: z
    .enum(['ingress', 'mesh'], {
      error: "expected ingress (the gateway-bound VirtualService) or mesh (the service's own VirtualService)",
    })
    .default('mesh')
    .meta({
      description: 'ingress: fault on traffic entering through the gateway; mesh: fault on calls between services',
    }),
  percentage: percentage.default(100),
};

export const istioDelayFault = z
  .strictObject({
    type: z.literal('istio-delay'),
    ...faultCommon,
    ...istioTarget,
    delay: duration,
  })
  .meta({ description: 'Add a fixed delay to a share of requests, by a route of our own in the VirtualService.' });

export const istioAbortFault = z
  .strictObject({
    type: z.literal('istio-abort'),
    ...faultCommon,
    ...istioTarget,
    status: z
      .number({ error: 'expected an HTTP status code from 400 to 599' })
      .int()
      .min(400, { error: 'expected an HTTP status code from 400 to 599' })
      .max(599, { error: 'expected an HTTP status code from 400 to 599' }),
  })
  .meta({
    description: 'Answer a share of requests with an HTTP error status, by a route of our own in the VirtualService.',
  });

interface IstioFaultTarget {
  namespace?: string;
  host: string;
  via: 'ingress' | 'mesh';
  percentage: number;
}

export interface IstioDelayFault extends FaultBase, IstioFaultTarget {
  type: 'istio-delay';
  delayMs: number;
}

export interface IstioAbortFault extends FaultBase, IstioFaultTarget {
  type: 'istio-abort';
  status: number;
}

function target(raw: z.output<typeof istioDelayFault> | z.output<typeof istioAbortFault>): IstioFaultTarget {
  return {
    namespace: raw.namespace,
    host: raw.host,
    via: raw.via,
    percentage: checked(parsePercentage(raw.percentage)),
  };
}

export function normalizeIstioDelay(
  raw: z.output<typeof istioDelayFault>,
  { base }: NormalizeContext,
): IstioDelayFault {
  return { type: 'istio-delay', ...base, ...target(raw), delayMs: checkedMs(raw.delay) };
}

export function normalizeIstioAbort(
  raw: z.output<typeof istioAbortFault>,
  { base }: NormalizeContext,
): IstioAbortFault {
  return { type: 'istio-abort', ...base, ...target(raw), status: raw.status };
}
