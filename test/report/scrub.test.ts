/** Free text in reports loses credentials; a batch's exit code reflects every scenario. */
import { expect } from 'chai';
import { combineExitCodes } from '../../src/errors/exit-codes.js';
import { redactUrl, scrubText } from '../../src/report/scrub.js';

describe('scrubText: credentials in free text are redacted', () => {
  const cases: Array<[string, string, string]> = [
    [
      'a bearer token in a quoted header',
      'request failed: Authorization: Bearer eyJhbGciOi.abc-DEF_123=',
      'request failed: Authorization: [redacted]',
    ],
    ['a bare bearer token', 'sent bearer SECRET-TOKEN-1234 to the API', 'sent bearer [redacted] to the API'],
    ['a kubeconfig token field', 'user: {token: SECRET-TOKEN-1234}', 'user: {token: [redacted]}'],
    ['client key data', '"client-key-data":"LS0tLS1CRUdJTi"', '"client-key-data":"[redacted]"'],
    ['client certificate data', 'client-certificate-data: LS0tQ0VSVA==', 'client-certificate-data: [redacted]'],
    [
      'a password in a URL',
      'GET https://admin:hunter2@10.0.0.1:6443/api failed',
      'GET https://[redacted]@10.0.0.1:6443/api failed',
    ],
    [
      'a PEM private key',
      'key -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- end',
      'key [private key [redacted]] end',
    ],
    [
      'ordinary text is untouched',
      'abort limit "http_req_failed: rate<0.5" breached on ingress central',
      'abort limit "http_req_failed: rate<0.5" breached on ingress central',
    ],
  ];
  for (const [name, input, expected] of cases) it(name, () => expect(scrubText(input)).to.equal(expected));

  it('redactUrl drops user:password and leaves other URLs byte for byte', () => {
    expect(redactUrl('http://127.0.0.11:8080')).to.equal('http://127.0.0.11:8080');
    expect(redactUrl('https://user:pw@gw.example.com/')).to.equal('https://gw.example.com/');
    expect(redactUrl('http://<LoadBalancer address of Service asm-gateways/istio-ingressgateway>:80')).to.equal(
      'http://<LoadBalancer address of Service asm-gateways/istio-ingressgateway>:80',
    );
  });
});

describe('combineExitCodes: a batch never reports only its last scenario', () => {
  const cases: Array<[number[], number]> = [
    [[0, 0, 0], 0],
    [[1, 0], 1],
    [[0, 1], 1],
    [[1, 3, 0], 3],
    [[3, 1], 3],
    [[0, 130], 130],
    [[3, 130, 1], 130],
    [[], 0],
  ];
  for (const [codes, expected] of cases)
    it(`${JSON.stringify(codes)} → ${expected}`, () => expect(combineExitCodes(codes)).to.equal(expected));
});
