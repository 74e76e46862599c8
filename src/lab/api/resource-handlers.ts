/**
 * The generic verbs on a resource: list (and watch), get, create, update, patch, delete and
 * deletecollection, with the real server's preconditions and answers.
 */
import { errors, successStatus } from './status.js';
import { admit } from './admission.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { deleteObject } from './deletion.js';
import { parseObjectBody, sendJson } from './http-io.js';
import { isRecord, type KubeObject } from './object-types.js';
import { apiVersionOf, keys } from './resource-types.js';
import { matchesFields, matchesRequirements, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { serveWatch } from './watch.js';
import { toTable } from './table.js';
import { trackNodeManagers } from './node-managers.js';
import { render, toKubeObject, type ResourceRequest } from './request-context.js';

const nameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(length = 5): string {
  let suffix = '';
  for (let i = 0; i < length; i += 1) suffix += nameAlphabet[Math.floor(Math.random() * nameAlphabet.length)];
  return suffix;
}

function listApiVersion(request: ResourceRequest): string {
  return apiVersionOf(request.type.group, request.version);
}

function selection(request: ResourceRequest): (object: KubeObject) => boolean {
  const labels = parseLabelSelector(request.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(request.query.get('fieldSelector') ?? '', request.type.kind);
  return (object) => matchesRequirements(object.metadata.labels, labels) && matchesFields(object, fields);
}

function respondObject(request: ResourceRequest, status: number, object: KubeObject): void {
  const rendered = render(request, object);
  if (request.table)
    sendJson(
      request.res,
      status,
      toTable(request.type.kind, [rendered], rendered.metadata.resourceVersion, request.query.get('includeObject')),
    );
  else sendJson(request.res, status, rendered);
}

export function listOrWatch(request: ResourceRequest): void {
  const matches = selection(request);
  const watching = request.query.get('watch') === 'true' || request.query.get('watch') === '1';
  if (watching) {
    const timeout = Number(request.query.get('timeoutSeconds') ?? '0');
    serveWatch(request.req, request.res, request.cluster.store, {
      key: request.key,
      namespace: request.namespace,
      resourceVersion: request.query.get('resourceVersion') ?? undefined,
      timeoutSeconds: Number.isFinite(timeout) ? timeout : 0,
      matches:
        request.name === undefined ? matches : (object) => object.metadata.name === request.name && matches(object),
      render: (object) => {
        const rendered = render(request, object);
        return request.table
          ? toTable(
              request.type.kind,
              [rendered],
              rendered.metadata.resourceVersion,
              request.query.get('includeObject'),
            )
          : rendered;
      },
    });
    return;
  }
  const revision = String(request.cluster.store.currentRevision);
  const items = request.cluster.store
    .list(request.key, request.namespace)
    .filter(matches)
    .map((object) => render(request, object));
  items.sort((a, b) =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
      `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
    ),
  );
  if (request.table) {
    sendJson(request.res, 200, toTable(request.type.kind, items, revision, request.query.get('includeObject')));
    return;
  }
  sendJson(request.res, 200, {
    kind: `${request.type.kind}List`,
    apiVersion: listApiVersion(request),
    metadata: { resourceVersion: revision },
    items,
  });
}

export function existing(request: ResourceRequest): KubeObject {
  const name = request.name ?? '';
  const object = request.cluster.store.get(request.key, request.namespace, name);
  if (!object) throw errors.notFound(request.type.group, request.type.plural, name);
  return object;
}

export function getOne(request: ResourceRequest): void {
  respondObject(request, 200, existing(request));
}

function requireNamespace(request: ResourceRequest, namespace: string | undefined): void {
  if (!request.type.namespaced || namespace === undefined) return;
  const found = request.cluster.store.peek(keys.namespaces, undefined, namespace);
  if (!found) throw errors.notFound('', 'namespaces', namespace);
  if (found.metadata.deletionTimestamp)
    throw errors.namespaceTerminating(request.type.plural, request.name ?? '', namespace);
}

function createObject(request: ResourceRequest, object: KubeObject): KubeObject {
  if (!object.metadata.name && typeof object.metadata.generateName === 'string' && object.metadata.generateName) {
    object.metadata.name = `${object.metadata.generateName}${randomSuffix()}`;
  }
  requireNamespace(request, object.metadata.namespace);
  for (const field of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'generation'] as const)
    delete object.metadata[field];
  if (request.type.subresources.includes('status')) delete object.status;
  admit(request.type, object, request.cluster.allocator);
  if (request.dryRun)
    return {
      ...object,
      metadata: { ...object.metadata, uid: 'dry-run', creationTimestamp: request.cluster.store.timestamp() },
    };
  return request.cluster.store.create(request.key, object);
}

export function create(request: ResourceRequest): void {
  const object = toKubeObject(request, parseObjectBody(request.body));
  respondObject(request, 201, createObject(request, object));
}

/** Writes a new version of the main resource; status is owned by the status subresource. */
function replaceObject(request: ResourceRequest, object: KubeObject, current: KubeObject): KubeObject {
  if (object.metadata.name !== current.metadata.name) {
    throw errors.badRequest(
      `the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${current.metadata.name})`,
    );
  }
  const expected = object.metadata.resourceVersion;
  if (request.type.custom && (expected === undefined || expected === '')) {
    throw errors.invalid(request.type.kind, request.type.group, current.metadata.name, [
      { field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' },
    ]);
  }
  if (request.type.subresources.includes('status')) {
    if (current.status === undefined) delete object.status;
    else object.status = current.status;
  }
  admit(request.type, object, request.cluster.allocator, current);
  if (request.type.kind === 'Node') trackNodeManagers(request, object, current);
  if (request.dryRun) return object;
  return request.cluster.store.update(request.key, object, typeof expected === 'string' ? expected : undefined);
}

export function update(request: ResourceRequest): void {
  const current = existing(request);
  const object = toKubeObject(request, parseObjectBody(request.body));
  respondObject(request, 200, replaceObject(request, object, current));
}

export function patch(request: ResourceRequest): void {
  const type = patchTypeOf(request.req.headers['content-type'], request.type.custom);
  const name = request.name ?? '';
  const current = request.cluster.store.get(request.key, request.namespace, name);
  if (!current) {
    if (type !== 'apply') throw errors.notFound(request.type.group, request.type.plural, name);
    const created = applyPatch(type, undefined, request.body, request.type.custom);
    if (!isRecord(created)) throw errors.badRequest('the apply body is not an object');
    const object = toKubeObject(request, created);
    object.metadata.name = name;
    respondObject(request, 201, createObject(request, object));
    return;
  }
  const patched = applyPatch(type, render(request, current), request.body, request.type.custom);
  if (!isRecord(patched) || !isRecord(patched.metadata)) throw errors.patchNotApplicable();
  const object = toKubeObject(request, patched);
  respondObject(request, 200, replaceObject(request, object, current));
}

interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

function deleteOptions(request: ResourceRequest): DeleteOptions {
  const options: DeleteOptions = {};
  if (request.body.trim()) {
    const body = parseObjectBody(request.body);
    if (typeof body.gracePeriodSeconds === 'number') options.gracePeriodSeconds = body.gracePeriodSeconds;
    if (isRecord(body.preconditions)) options.preconditions = body.preconditions as DeleteOptions['preconditions'];
  }
  const grace = request.query.get('gracePeriodSeconds');
  if (grace !== null && /^-?\d+$/.test(grace)) options.gracePeriodSeconds = Number(grace);
  if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) delete options.gracePeriodSeconds;
  return options;
}

function deleteOne(request: ResourceRequest, options = deleteOptions(request)): KubeObject {
  const current = existing(request);
  const { uid, resourceVersion } = options.preconditions ?? {};
  if (
    (uid && uid !== current.metadata.uid) ||
    (resourceVersion && resourceVersion !== current.metadata.resourceVersion)
  ) {
    const what =
      uid && uid !== current.metadata.uid
        ? `UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`
        : `ResourceVersion in precondition: ${resourceVersion ?? ''}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`;
    throw errors.preconditionFailed(request.type.group, request.type.plural, current.metadata.name, what);
  }
  if (request.dryRun) return current;
  const result = deleteObject(
    request.cluster.store,
    request.type,
    request.namespace,
    current.metadata.name,
    options.gracePeriodSeconds,
  );
  return result?.object ?? current;
}

export function remove(request: ResourceRequest): void {
  const object = deleteOne(request);
  if (request.type.custom || request.key === keys.pods || request.key === keys.namespaces) {
    respondObject(request, 200, object);
    return;
  }
  sendJson(
    request.res,
    200,
    successStatus(200, {
      name: object.metadata.name,
      group: request.type.group || undefined,
      kind: request.type.plural,
      uid: object.metadata.uid,
    }),
  );
}

export function removeCollection(request: ResourceRequest): void {
  const matches = selection(request);
  const options = deleteOptions(request);
  const deleted = request.cluster.store
    .peekAll(request.key, request.namespace)
    .filter(matches)
    .map((object) =>
      deleteOne({ ...request, namespace: object.metadata.namespace, name: object.metadata.name }, options),
    );
  const items = deleted.map((object) => render(request, object));
  sendJson(request.res, 200, {
    kind: `${request.type.kind}List`,
    apiVersion: listApiVersion(request),
    metadata: { resourceVersion: String(request.cluster.store.currentRevision) },
    items,
  });
}
