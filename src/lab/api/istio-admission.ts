/**
 * What the Istio CRD schemas (OpenAPI + CEL) reject on VirtualServices and DestinationRules,
 * for the fields the lab's mesh acts on. Unknown fields pass, as they do on a real cluster
 * with preserve-unknown-fields off only for typed ones.
 */
import { isRecord } from './object-types.js';
import { Causes, checkArray, checkDuration, checkInteger, checkObject, checkPercentage } from './field-checks.js';

function checkRoute(causes: Causes, path: string, route: unknown): void {
  if (!checkObject(causes, path, route, true)) return;
  if (checkArray(causes, `${path}.route`, route.route, false)) {
    route.route.forEach((destination, index) => {
      const at = `${path}.route[${index}]`;
      if (!checkObject(causes, at, destination, true)) return;
      if (!isRecord(destination.destination) || typeof destination.destination.host !== 'string')
        causes.required(`${at}.destination.host`);
      checkInteger(causes, `${at}.weight`, destination.weight, 0, 100);
    });
  }
  checkDuration(causes, `${path}.timeout`, route.timeout);
  if (checkObject(causes, `${path}.retries`, route.retries, false)) {
    checkInteger(causes, `${path}.retries.attempts`, route.retries.attempts, 0);
    checkDuration(causes, `${path}.retries.perTryTimeout`, route.retries.perTryTimeout, 1);
  }
  if (checkObject(causes, `${path}.fault`, route.fault, false)) {
    const fault = route.fault;
    if (fault.delay === undefined && fault.abort === undefined)
      causes.add(`${path}.fault`, 'Invalid value: must have delay or abort');
    if (checkObject(causes, `${path}.fault.delay`, fault.delay, false)) {
      checkDuration(causes, `${path}.fault.delay.fixedDelay`, fault.delay.fixedDelay, 1);
      checkPercentage(causes, `${path}.fault.delay.percentage`, fault.delay.percentage);
    }
    if (checkObject(causes, `${path}.fault.abort`, fault.abort, false)) {
      checkInteger(causes, `${path}.fault.abort.httpStatus`, fault.abort.httpStatus, 200, 599);
      checkPercentage(causes, `${path}.fault.abort.percentage`, fault.abort.percentage);
    }
  }
}

export function checkVirtualService(causes: Causes, spec: unknown): void {
  if (!checkObject(causes, 'spec', spec, true)) return;
  checkArray(causes, 'spec.hosts', spec.hosts, false);
  checkArray(causes, 'spec.gateways', spec.gateways, false);
  if (checkArray(causes, 'spec.http', spec.http, false))
    spec.http.forEach((route, index) => checkRoute(causes, `spec.http[${index}]`, route));
}

function checkTrafficPolicy(causes: Causes, path: string, policy: unknown): void {
  if (!checkObject(causes, path, policy, false)) return;
  if (checkObject(causes, `${path}.outlierDetection`, policy.outlierDetection, false)) {
    const outlier = policy.outlierDetection;
    checkInteger(causes, `${path}.outlierDetection.consecutive5xxErrors`, outlier.consecutive5xxErrors, 0);
    checkInteger(causes, `${path}.outlierDetection.consecutiveGatewayErrors`, outlier.consecutiveGatewayErrors, 0);
    checkDuration(causes, `${path}.outlierDetection.interval`, outlier.interval, 1);
    checkDuration(causes, `${path}.outlierDetection.baseEjectionTime`, outlier.baseEjectionTime, 1);
    checkInteger(causes, `${path}.outlierDetection.maxEjectionPercent`, outlier.maxEjectionPercent, 0, 100);
  }
  if (checkObject(causes, `${path}.connectionPool`, policy.connectionPool, false)) {
    const pool = policy.connectionPool;
    if (checkObject(causes, `${path}.connectionPool.http`, pool.http, false)) {
      for (const field of ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries']) {
        checkInteger(causes, `${path}.connectionPool.http.${field}`, pool.http[field], 0);
      }
    }
    if (checkObject(causes, `${path}.connectionPool.tcp`, pool.tcp, false))
      checkInteger(causes, `${path}.connectionPool.tcp.maxConnections`, pool.tcp.maxConnections, 0);
  }
}

export function checkDestinationRule(causes: Causes, spec: unknown): void {
  if (!checkObject(causes, 'spec', spec, true)) return;
  if (typeof spec.host !== 'string' || spec.host === '') causes.required('spec.host');
  checkTrafficPolicy(causes, 'spec.trafficPolicy', spec.trafficPolicy);
  if (checkArray(causes, 'spec.subsets', spec.subsets, false)) {
    spec.subsets.forEach((subset, index) => {
      if (!checkObject(causes, `spec.subsets[${index}]`, subset, true)) return;
      if (typeof subset.name !== 'string') causes.required(`spec.subsets[${index}].name`);
      checkTrafficPolicy(causes, `spec.subsets[${index}].trafficPolicy`, subset.trafficPolicy);
    });
  }
}
