/**
 * Subresources: `status` (writes only .status), `scale` (autoscaling/v1 Scale over
 * spec.replicas) and `pods/eviction` (policy/v1 Eviction, refused with 429 by a PDB).
 */
import { ApiError, errors, successStatus } from './status.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { deleteObject } from './deletion.js';
import { parseObjectBody, sendJson } from './http-io.js';
import { isRecord, type KubeObject, type Pod, type Workload } from './object-types.js';
import { resourceByKey, keys } from './resource-types.js';
import { decideEviction } from './disruption-budget.js';
import { existing, getOne } from './resource-handlers.js';
import { render, type ResourceRequest } from './request-context.js';
import { recordEvent } from './record-event.js';

function writeStatus(request: ResourceRequest, current: KubeObject, status: unknown, expectedVersion: unknown): void {
  const next: KubeObject = { ...current, status };
  if (status === undefined) delete next.status;
  const version = typeof expectedVersion === 'string' ? expectedVersion : undefined;
  const saved = request.dryRun ? next : request.cluster.store.update(request.key, next, version);
  sendJson(request.res, 200, render(request, saved));
}

export function handleStatus(request: ResourceRequest, method: string): void {
  const current = existing(request);
  switch (method) {
    case 'GET':
      return getOne(request);
    case 'PUT': {
      const body = parseObjectBody(request.body);
      const metadata = isRecord(body.metadata) ? body.metadata : {};
      return writeStatus(request, current, body.status, metadata.resourceVersion);
    }
    case 'PATCH': {
      const type = patchTypeOf(request.req.headers['content-type'], request.type.custom);
      const patched = applyPatch(type, render(request, current), request.body, request.type.custom);
      if (!isRecord(patched)) throw errors.patchNotApplicable();
      const metadata = isRecord(patched.metadata) ? patched.metadata : {};
      return writeStatus(request, current, patched.status, metadata.resourceVersion);
    }
    default:
      throw errors.methodNotAllowed();
  }
}

function scaleOf(workload: Workload): Record<string, unknown> {
  const selector = Object.entries(workload.spec.selector.matchLabels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const status = workload.status ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: workload.metadata.name,
      namespace: workload.metadata.namespace,
      uid: workload.metadata.uid,
      resourceVersion: workload.metadata.resourceVersion,
      creationTimestamp: workload.metadata.creationTimestamp,
    },
    // autoscaling/v1 ScaleSpec.replicas is omitempty: a Scale of zero is `spec: {}` on the wire.
    spec: workload.spec.replicas ? { replicas: workload.spec.replicas } : {},
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, ...(selector ? { selector } : {}) },
  };
}

export function handleScale(request: ResourceRequest, method: string): void {
  const workload = existing(request) as Workload;
  let scale: Record<string, unknown>;
  switch (method) {
    case 'GET':
      return sendJson(request.res, 200, scaleOf(workload));
    case 'PUT':
      scale = parseObjectBody(request.body);
      break;
    case 'PATCH': {
      const type = patchTypeOf(request.req.headers['content-type'], false);
      const patched = applyPatch(type, scaleOf(workload), request.body, false);
      if (!isRecord(patched)) throw errors.patchNotApplicable();
      scale = patched;
      break;
    }
    default:
      throw errors.methodNotAllowed();
  }
  const spec = isRecord(scale.spec) ? scale.spec : {};
  const replicas = spec.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid('Scale', 'autoscaling', workload.metadata.name, [
      {
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      },
    ]);
  }
  const metadata = isRecord(scale.metadata) ? scale.metadata : {};
  const expected = typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : undefined;
  const next: Workload = { ...workload, spec: { ...workload.spec, replicas } };
  const saved = request.dryRun ? next : request.cluster.store.update(request.key, next, expected);
  sendJson(request.res, 200, scaleOf(saved));
}

export function handleEviction(request: ResourceRequest, method: string): void {
  if (method !== 'POST') throw errors.methodNotAllowed();
  const body = parseObjectBody(request.body);
  const pod = existing(request) as Pod;
  const options = isRecord(body.deleteOptions) ? body.deleteOptions : {};
  const preconditions = isRecord(options.preconditions) ? options.preconditions : {};
  if (
    (typeof preconditions.uid === 'string' && preconditions.uid !== pod.metadata.uid) ||
    (typeof preconditions.resourceVersion === 'string' &&
      preconditions.resourceVersion !== pod.metadata.resourceVersion)
  ) {
    throw errors.preconditionFailed('', 'pods', pod.metadata.name, 'the pod changed since the eviction was requested');
  }
  const decision = decideEviction(request.cluster.store, pod);
  if (decision.kind === 'misconfigured') throw errors.internal(decision.message);
  if (decision.kind === 'forbidden') {
    throw new ApiError(
      403,
      'Forbidden',
      `poddisruptionbudgets.policy "${decision.pdb}" is forbidden: ${decision.message}`,
      { name: decision.pdb, group: 'policy', kind: 'poddisruptionbudgets' },
    );
  }
  if (decision.kind === 'blocked') {
    throw new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
      causes: [{ reason: 'DisruptionBudget', message: decision.message }],
      ...(decision.retryAfterSeconds > 0 ? { retryAfterSeconds: decision.retryAfterSeconds } : {}),
    });
  }
  // Like the real server: record the disruption on the budget before the Pod goes.
  if (decision.consume && !request.dryRun) request.cluster.store.update(keys.pdbs, decision.consume);
  if (!request.dryRun) {
    const grace =
      typeof options.gracePeriodSeconds === 'number' && options.gracePeriodSeconds >= 0
        ? options.gracePeriodSeconds
        : undefined;
    recordEvent(request.cluster.store, pod, {
      type: 'Normal',
      reason: 'Evicted',
      message: `Evicted through the eviction API${decision.consume ? ` (PodDisruptionBudget ${decision.consume.metadata.name} allowed it)` : ''}`,
      component: 'eviction-api',
    });
    deleteObject(request.cluster.store, resourceByKey(keys.pods), pod.metadata.namespace, pod.metadata.name, grace);
  }
  sendJson(request.res, 201, successStatus(201));
}

/** `kubectl logs POD`: the Pod's access log as text (`tailLines` keeps the newest). */
export function handleLog(request: ResourceRequest, method: string): void {
  if (method !== 'GET') throw errors.methodNotAllowed();
  const pod = existing(request) as Pod;
  let lines = request.cluster.logs.read(pod.metadata.namespace ?? '', pod.metadata.name);
  const tail = Number(request.query.get('tailLines') ?? 'NaN');
  if (Number.isInteger(tail) && tail >= 0) lines = tail === 0 ? [] : lines.slice(-tail);
  const text = lines.map((line) => `${line}\n`).join('');
  request.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
  request.res.end(text);
}
