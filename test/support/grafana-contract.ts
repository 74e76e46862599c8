/**
 * Grafana's annotations HTTP API as its documentation describes it ("Annotations HTTP API",
 * grafana.com/docs/grafana/latest/developers/http_api/annotations/, and "Authentication" for the
 * service account token), on loopback: Grafana itself is AGPL and is not used by this project.
 *
 * - every request needs `Authorization: Bearer <token>`; otherwise 401 `{"message":"Unauthorized"}`;
 * - `POST /api/annotations`: a JSON object; `text` required; `time` and `timeEnd` epoch numbers in
 *   milliseconds (a region has both); `tags` strings; `dashboardUID`, `dashboardId`, `panelId`
 *   optional. Answer `{"message":"Annotation added","id":<id>}`;
 * - `PATCH /api/annotations/:id`: any of `text`, `tags`, `time`, `timeEnd`. Answer
 *   `{"message":"Annotation patched"}`; an id that does not exist: 404;
 * - `GET /api/annotations?tags=a&tags=b&limit=n`: the stored annotations having every tag, in the
 *   documented shape (id, dashboardUID, panelId, time, timeEnd, text, tags, …), newest first;
 * - errors are JSON `{"message": …}` with the status, as Grafana's API answers them.
 *
 * What the documentation does not allow (a field it does not name, a time in seconds, a region
 * ending before it starts) is answered 400 and also recorded in `violations`, so a test can say
 * that nothing the harness sent was outside the contract.
 */
import type { ServerResponse } from 'node:http';
import { startReceiver, type Receiver } from './receiver.js';

interface StoredAnnotation {
  id: number;
  dashboardUID?: string;
  panelId?: number;
  time: number;
  timeEnd: number;
  text: string;
  tags: string[];
}

export interface GrafanaContract {
  url: string;
  token: string;
  receiver: Receiver;
  annotations: Map<number, StoredAnnotation>;
  violations: string[];
  /** Answer every POST and PATCH with this error (e.g. 500), as Grafana does when it cannot save. */
  failWith?: { status: number; message: string };
  close(): Promise<void>;
}

const postFields = new Set(['dashboardUID', 'dashboardId', 'panelId', 'time', 'timeEnd', 'tags', 'text']);
const patchFields = new Set(['text', 'tags', 'time', 'timeEnd']);
/** 2001-09-09 in ms: an epoch time below it is in seconds, not milliseconds. */
const msFloor = 1_000_000_000_000;

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** What is wrong with a body against the documented fields (empty: nothing). */
function checkBody(body: unknown, allowed: Set<string>, needText: boolean): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['the body is not a JSON object'];
  const fields = body as Record<string, unknown>;
  const problems = Object.keys(fields)
    .filter((key) => !allowed.has(key))
    .map((key) => `field ${key} is not in the documented request`);
  if (needText && (typeof fields.text !== 'string' || fields.text === '')) problems.push('text is required');
  if ('text' in fields && typeof fields.text !== 'string') problems.push('text is not a string');
  for (const key of ['time', 'timeEnd'])
    if (key in fields && (!Number.isInteger(fields[key]) || (fields[key] as number) < msFloor))
      problems.push(`${key} is not an epoch time in milliseconds: ${JSON.stringify(fields[key])}`);
  if ('tags' in fields && !(Array.isArray(fields.tags) && fields.tags.every((tag) => typeof tag === 'string')))
    problems.push('tags is not a list of strings');
  if (typeof fields.time === 'number' && typeof fields.timeEnd === 'number' && fields.timeEnd < fields.time)
    problems.push('timeEnd is before time');
  return problems;
}

export async function startGrafanaContract(token = 'glsa_contract-test-token_0123456789'): Promise<GrafanaContract> {
  let nextId = 1;
  const contract: GrafanaContract = {
    url: '',
    token,
    receiver: undefined as unknown as Receiver,
    annotations: new Map(),
    violations: [],
    close: async () => undefined,
  };
  const reject = (response: ServerResponse, where: string, problems: string[]) => {
    contract.violations.push(...problems.map((problem) => `${where}: ${problem}`));
    answer(response, 400, { message: problems.join('; ') });
  };
  contract.receiver = await startReceiver((request, response) => {
    const url = new URL(request.path, 'http://grafana');
    const where = `${request.method} ${url.pathname}`;
    if (request.headers.authorization !== `Bearer ${token}`) return answer(response, 401, { message: 'Unauthorized' });
    if (request.method === 'GET' && url.pathname === '/api/annotations') return find(contract, url, response);
    const patched = /^\/api\/annotations\/(\d+)$/.exec(url.pathname);
    if (!(request.method === 'POST' && url.pathname === '/api/annotations') && !(request.method === 'PATCH' && patched))
      return answer(response, 404, { message: 'Not found' });
    if (!String(request.headers['content-type']).startsWith('application/json'))
      return reject(response, where, ['Content-Type is not application/json']);
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return reject(response, where, ['the body is not JSON']);
    }
    const problems = checkBody(body, patched ? patchFields : postFields, !patched);
    if (problems.length > 0) return reject(response, where, problems);
    if (contract.failWith) return answer(response, contract.failWith.status, { message: contract.failWith.message });
    const fields = body as Partial<StoredAnnotation>;
    if (patched) {
      const stored = contract.annotations.get(Number(patched[1]));
      if (!stored) return answer(response, 404, { message: 'Annotation not found' });
      Object.assign(stored, fields);
      return answer(response, 200, { message: 'Annotation patched' });
    }
    const id = nextId++;
    const time = fields.time ?? Date.now();
    contract.annotations.set(id, {
      id,
      ...(fields.dashboardUID === undefined ? {} : { dashboardUID: fields.dashboardUID }),
      ...(fields.panelId === undefined ? {} : { panelId: fields.panelId }),
      time,
      timeEnd: fields.timeEnd ?? time,
      text: fields.text!,
      tags: fields.tags ?? [],
    });
    return answer(response, 200, { message: 'Annotation added', id });
  });
  contract.url = contract.receiver.url;
  contract.close = () => contract.receiver.close();
  return contract;
}

function find(contract: GrafanaContract, url: URL, response: ServerResponse): void {
  const tags = url.searchParams.getAll('tags');
  const limit = Number(url.searchParams.get('limit') ?? 100);
  const found = [...contract.annotations.values()]
    .filter((annotation) => tags.every((tag) => annotation.tags.includes(tag)))
    .sort((a, b) => b.time - a.time || b.id - a.id)
    .slice(0, limit)
    .map((annotation) => ({
      alertId: 0,
      dashboardId: 0,
      dashboardUID: annotation.dashboardUID ?? '',
      panelId: annotation.panelId ?? 0,
      userId: 1,
      newState: '',
      prevState: '',
      data: {},
      ...annotation,
    }));
  answer(response, 200, found);
}
