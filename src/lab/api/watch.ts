/**
 * Watch streams: newline-delimited JSON events. No resourceVersion (or "0") starts with a
 * synthetic ADDED per object, a number replays history after it, and a number older than the
 * retained history gets an ERROR event with a 410 Expired Status, as etcd compaction causes.
 * Objects that stop (start) matching the selectors are sent as DELETED (ADDED).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from './status.js';
import type { KubeObject } from './object-types.js';
import type { ObjectStore, StoreEvent, WatchEventType } from './store.js';
import type { ResourceKey } from './resource-types.js';

export interface WatchRequest {
  key: ResourceKey;
  namespace?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  matches: (object: KubeObject) => boolean;
  /** Shapes an object for the wire: version rewrite, Table wrapping. */
  render: (object: KubeObject) => unknown;
}

function writeEvent(res: ServerResponse, type: WatchEventType | 'ERROR', object: unknown): void {
  res.write(`${JSON.stringify({ type, object })}\n`);
}

function inScope(request: WatchRequest, object: KubeObject): boolean {
  return request.namespace === undefined || object.metadata.namespace === request.namespace;
}

/** The event a filtered watcher sees for a store event, if any. */
function translate(request: WatchRequest, event: StoreEvent): WatchEventType | undefined {
  if (event.key !== request.key || !inScope(request, event.object)) return undefined;
  const now = request.matches(event.object);
  if (event.type !== 'MODIFIED' || !event.previous) return now ? event.type : undefined;
  const before = request.matches(event.previous);
  if (before && now) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

export function serveWatch(req: IncomingMessage, res: ServerResponse, store: ObjectStore, request: WatchRequest): void {
  const start = request.resourceVersion;
  if (start !== undefined && start !== '' && !/^\d+$/.test(start)) {
    throw errors.badRequest(`resourceVersion: Invalid value: ${JSON.stringify(start)}: must be a number`);
  }
  res.writeHead(200, {
    'content-type': 'application/json',
    'transfer-encoding': 'chunked',
    'cache-control': 'no-cache, private',
  });
  res.flushHeaders();
  const send = (type: WatchEventType, object: KubeObject): void => writeEvent(res, type, request.render(object));

  if (start === undefined || start === '' || start === '0') {
    for (const object of store.peekAll(request.key, request.namespace))
      if (request.matches(object)) send('ADDED', object);
  } else {
    const replay = store.eventsSince(Number(start));
    if (replay === 'expired') {
      const gone = errors.gone(`too old resource version: ${start} (${store.currentRevision})`);
      writeEvent(res, 'ERROR', gone.toStatus());
      res.end();
      return;
    }
    for (const event of replay) {
      const type = translate(request, event);
      if (type) send(type, event.object);
    }
  }

  const unsubscribe = store.subscribe((event) => {
    const type = translate(request, event);
    if (type) send(type, event.object);
  });
  const timer =
    request.timeoutSeconds && request.timeoutSeconds > 0
      ? setTimeout(() => res.end(), request.timeoutSeconds * 1000)
      : undefined;
  const stop = (): void => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
  res.on('close', stop);
  req.on('close', stop);
}
