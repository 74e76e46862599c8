/**
 * What a lab Pod's application does with one request, Bank of Anthos's way: its routes, the
 * session cookie (no token: redirect to /login, 401, or the login page; a token at /login goes
 * home), its calls to other services through the sidecar, and the pages it renders — a failed
 * backend leaves its section of /home empty and the page still answers 200, as the real app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LatencyDistribution } from '../random.js';
import type { MeshResponse } from './upstream.js';

export interface CallSpec {
  service: string;
  path: string;
  method?: string;
}

export interface RouteBehaviour {
  exact?: string;
  prefix?: string;
  /** Only requests with this method take the route (undefined: any). */
  method?: string;
  calls: CallSpec[];
  parallel: boolean;
  /**
   * A web frontend's session, as Bank of Anthos's: without a `token` cookie the route answers
   * a redirect to /login (`redirect`), a 401 (`reject`), or the login page with no backend call
   * (`login-page`); with one, the route runs (`home` pages for a token holder at /login: `to-home`).
   */
  noToken?: 'redirect' | 'reject' | 'login-page';
  withToken?: 'to-home';
  /** Render an HTML page; a failed call leaves its section empty and the page is still 200. */
  page?: 'home' | 'login';
  /** After the calls, redirect here (302); `failed` is where a failed call sends the user. */
  redirect?: { to: string; failed: string; setToken?: boolean; clearToken?: boolean };
}

export interface ServiceBehaviour {
  serviceTime: LatencyDistribution;
  concurrency: number;
  queue: number;
  /** Empty: every path is served with no calls. Otherwise an unmatched path answers 404. */
  routes: RouteBehaviour[];
}

/** How a Pod answers (JSON, a redirect with an optional cookie, an HTML page). */
export interface PodReplies {
  json(res: ServerResponse, status: number, body: unknown): void;
  redirect(res: ServerResponse, location: string, cookie?: string): void;
  html(res: ServerResponse, body: string): void;
}

/** The Pod a request runs in: its identity, how it calls out, how it answers, its session tokens. */
export interface PodApp {
  service: string;
  replies: PodReplies;
  callOut(call: CallSpec, req: IncomingMessage): Promise<CallResult>;
  newToken(): string;
}

export function findRoute(behaviour: ServiceBehaviour, path: string, method: string): RouteBehaviour | undefined {
  const bare = path.split('?')[0] ?? '/';
  if (behaviour.routes.length === 0) return { calls: [], parallel: false };
  return behaviour.routes.find(
    (route) =>
      (route.method === undefined || route.method === method) &&
      (route.exact !== undefined ? bare === route.exact : bare.startsWith(route.prefix ?? '/')),
  );
}

function tokenOf(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie ?? '';
  return /(?:^|;\s*)token=([^;]+)/.exec(cookie)?.[1];
}

export type CallResult = { call: CallSpec; response: MeshResponse };

/** The markers Bank of Anthos's index.html has: the balance in `span.h1`, one row per transaction. */
function homePage(results: CallResult[]): string {
  const ok = (service: string) => results.some((r) => r.call.service === service && r.response.status < 400);
  const balance = ok('balancereader') ? '$1,234.56' : '$---';
  const rows = ok('transactionhistory')
    ? ['-$12.00', '+$250.00', '-$7.50']
        .map((amount) => `<tr><td class="transaction-amount">${amount}</td></tr>`)
        .join('')
    : '';
  const history = rows
    ? `<table class="table"><tbody class="list">${rows}</tbody></table>`
    : '<h4>No Transactions Found</h4>';
  const contacts = ok('contacts') ? '<option value="1055757655">Alice - 1055757655</option>' : '';
  return `<!doctype html><html><body><b>Current Balance</b><span class="h1 mb-0">${balance}</span>${history}<select id="payment-accounts">${contacts}</select></body></html>`;
}

const loginPage =
  '<!doctype html><html><body><form id="login-form" method="POST" action="/login"><input name="username"><input name="password" type="password"></form></body></html>';

/** Runs one request through its route (after the Pod's service time). */
export async function serveRoute(
  app: PodApp,
  req: IncomingMessage,
  res: ServerResponse,
  route: RouteBehaviour,
): Promise<void> {
  const token = tokenOf(req);
  if (!token && route.noToken === 'redirect') return app.replies.redirect(res, '/login');
  if (!token && route.noToken === 'reject') return app.replies.json(res, 401, { error: 'not authenticated' });
  if (!token && route.noToken === 'login-page') return app.replies.html(res, loginPage);
  if (token && route.withToken === 'to-home') return app.replies.redirect(res, '/home');
  if (route.page === 'login') return app.replies.html(res, loginPage);
  const results = route.parallel ? await Promise.all(route.calls.map((call) => app.callOut(call, req))) : [];
  if (!route.parallel) for (const call of route.calls) results.push(await app.callOut(call, req));
  const failed = results.find((result) => result.response.status >= 400);
  // A web page: a failed backend leaves its section empty, the page still answers 200.
  if (route.page === 'home') return app.replies.html(res, homePage(results));
  if (route.redirect) {
    const { to, failed: failedTo, setToken, clearToken } = route.redirect;
    if (failed) return app.replies.redirect(res, failedTo);
    const cookie = setToken
      ? `token=${app.newToken()}; Max-Age=3600; Path=/`
      : clearToken
        ? 'token=; Max-Age=0; Path=/'
        : undefined;
    return app.replies.redirect(res, to, cookie);
  }
  if (failed) {
    app.replies.json(res, 500, {
      error: `call to ${failed.call.service}${failed.call.path} failed with ${failed.response.status}: ${failed.response.body.toString('utf8').slice(0, 200)}`,
    });
    return;
  }
  app.replies.json(res, 200, {
    service: app.service,
    path: req.url ?? '/',
    calls: results.map((result) => ({
      service: result.call.service,
      status: result.response.status,
    })),
  });
}
