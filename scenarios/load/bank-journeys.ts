/**
 * Bank of Anthos user journeys, for chaos scenarios (load.script: ./load/bank-journeys.ts).
 *
 * setup (once per ingress): log in as the demo user, keep the token cookie.
 * Every iteration: load /home with the token and check that the balance and the transaction
 * history are on the page — Bank of Anthos answers 200 even when a backend fails, so only
 * these checks see an outage. Every 10th iteration: a whole session — log in, pay a contact,
 * deposit from an external account, log out.
 *
 * Typed with @types/k6 and chaos/k6; `chaos validate` type-checks it (scenarios/load/tsconfig.json).
 */
import { check } from 'k6';
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
import { http, ingress } from 'chaos/k6';

const homeMs = new Trend('home_ms', true);
const user = { username: __ENV.BANK_USER ?? 'testuser', password: __ENV.BANK_PASSWORD ?? 'bankofanthos' };

interface Session {
  token: string;
}

function logIn(): string {
  const response = http.post('/login', user, { redirects: 0, tags: { name: 'login' } });
  const token = response.cookies.token?.[0]?.value ?? '';
  check(response, { 'logged in': () => token !== '' }, { journey: 'login' });
  return token;
}

export function setup(): Session {
  return { token: logIn() };
}

function withToken(token: string): void {
  http.cookieJar().set(ingress().baseUrl, 'token', token);
}

function home(journey: string): void {
  const response = http.get('/home', { tags: { name: 'home' } });
  homeMs.add(response.timings.duration, { journey });
  const body = typeof response.body === 'string' ? response.body : '';
  check(
    response,
    {
      'home is 200': (r) => r.status === 200,
      'balance shown': () => /<span class="h1 mb-0">\s*\$[0-9,]+\.\d\d/.test(body),
      'transactions shown': () => body.includes('transaction-amount'),
    },
    { journey },
  );
}

function session(): void {
  const token = logIn();
  if (!token) return;
  withToken(token);
  const payment = http.post(
    '/payment',
    { account_num: '1055757655', amount: '1.00', uuid: `chaos-${exec.vu.idInTest}-${exec.scenario.iterationInTest}` },
    { redirects: 0, tags: { name: 'payment' } },
  );
  check(
    payment,
    { 'payment accepted': (r) => String(r.headers.Location ?? '').includes('Payment+initiated') },
    { journey: 'session' },
  );
  const deposit = http.post(
    '/deposit',
    {
      account: JSON.stringify({ account_num: '9099791699', routing_num: '808889588' }),
      amount: '1.00',
      uuid: `chaos-d-${exec.vu.idInTest}-${exec.scenario.iterationInTest}`,
    },
    { redirects: 0, tags: { name: 'deposit' } },
  );
  check(
    deposit,
    { 'deposit accepted': (r) => String(r.headers.Location ?? '').includes('Deposit+accepted') },
    { journey: 'session' },
  );
  home('session');
  http.post('/logout', null, { redirects: 0, tags: { name: 'logout' } });
}

export default function (data: Session): void {
  if (exec.scenario.iterationInTest % 10 === 9) {
    session();
    return;
  }
  withToken(data.token);
  home('browse');
}
