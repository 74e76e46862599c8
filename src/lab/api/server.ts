/**
 * One cluster's Kubernetes API endpoint: HTTPS on loopback with the lab's certificate, bearer
 * token auth, and every handler wrapped so nothing a client sends can crash the lab.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { errors } from './status.js';
import { answerClientError, readBody, sendError, sendJson } from './http-io.js';
import { routeOf, type Route } from './router.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from './discovery.js';
import { create, getOne, listOrWatch, patch, remove, removeCollection, update } from './resource-handlers.js';
import { handleEviction, handleLog, handleScale, handleStatus } from './subresources.js';
import { wantsTable } from './table.js';
import { openApiGroupVersion, openApiIndex } from './openapi.js';
import { makeRequest, type ClusterApi } from './request-context.js';

export interface ApiServerOptions {
  host: string;
  port: number;
  token: string;
  tls: { cert: string; key: string };
  cluster: ClusterApi;
}

export interface RunningApiServer {
  server: Server;
  url: string;
  address: AddressInfo;
  close(): Promise<void>;
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function serveDocument(
  route: Extract<Route, { kind: 'document' | 'group' | 'groupVersion' | 'openapi' }>,
  res: ServerResponse,
  serverAddress: string,
): void {
  let document: unknown;
  switch (route.kind) {
    case 'openapi':
      // v3 only: kubectl falls back to v2 solely when v3 is missing, and a 404 on v2 is fine then.
      document = route.path === 'openapi/v3' ? openApiIndex() : openApiGroupVersion(route.path);
      break;
    case 'group':
      document = apiGroup(route.group);
      break;
    case 'groupVersion':
      document = apiResourceList(route.group, route.version);
      break;
    case 'document':
      switch (route.path) {
        case 'api':
          document = apiVersions(serverAddress);
          break;
        case 'apis':
          document = apiGroupList();
          break;
        case 'version':
          document = serverVersion;
          break;
        case 'health':
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('ok');
          return;
      }
  }
  if (document === undefined) throw errors.pathNotFound();
  sendJson(res, 200, document);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: ApiServerOptions,
  serverAddress: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://lab.invalid');
  const route = routeOf(url.pathname);
  const method = (req.method ?? 'GET').toUpperCase();
  if (!(route.kind === 'document' && route.path === 'health') && !authorized(req, options.token))
    throw errors.unauthorized();
  if (route.kind === 'unknown') throw errors.pathNotFound();
  if (route.kind === 'malformed') throw errors.badRequest(`invalid URL escape in ${JSON.stringify(url.pathname)}`);
  if (route.kind !== 'resource') {
    if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed();
    serveDocument(route, res, serverAddress);
    return;
  }
  const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
  const request = makeRequest({
    req,
    res,
    cluster: options.cluster,
    type: route.type,
    version: route.version,
    namespace: route.namespace,
    name: route.name,
    subresource: route.subresource,
    query: url.searchParams,
    body,
    table: wantsTable(req.headers.accept),
  });
  if (route.watch) {
    request.query.set('watch', 'true');
    if (method !== 'GET') throw errors.methodNotAllowed();
    listOrWatch(request);
    return;
  }
  if (route.subresource === 'status') return handleStatus(request, method);
  if (route.subresource === 'scale') return handleScale(request, method);
  if (route.subresource === 'eviction') return handleEviction(request, method);
  if (route.subresource === 'log') return handleLog(request, method);
  if (route.name === undefined) {
    switch (method) {
      case 'GET':
        return listOrWatch(request);
      case 'POST':
        if (route.type.namespaced && route.namespace === undefined) throw errors.methodNotAllowed();
        return create(request);
      case 'DELETE':
        return removeCollection(request);
      default:
        throw errors.methodNotAllowed();
    }
  }
  switch (method) {
    case 'GET':
      return getOne(request);
    case 'PUT':
      return update(request);
    case 'PATCH':
      return patch(request);
    case 'DELETE':
      return remove(request);
    default:
      throw errors.methodNotAllowed();
  }
}

export function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  let serverAddress = `${options.host}:${options.port}`;
  const server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    handle(req, res, options, serverAddress).catch((error: unknown) => {
      try {
        sendError(res, error);
      } catch {
        res.destroy();
      }
    });
  });
  // A client that goes away mid-request must not become an unhandled error.
  server.on('clientError', answerClientError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      serverAddress = `${address.address}:${address.port}`;
      resolve({
        server,
        address,
        url: `https://${address.address}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
