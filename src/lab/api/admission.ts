/**
 * Validation and defaulting on create and update, per kind: what the real server's typed
 * decoding, defaulting and validation give. Controllers trust what passes here.
 */
import { errors } from './status.js';
import { isRecord, type KubeObject } from './object-types.js';
import { selectorMatches } from './selectors.js';
import { checkDestinationRule, checkVirtualService } from './istio-admission.js';
import { checkHorizontalPodAutoscaler, checkScaledObject } from './autoscaler-admission.js';
import {
  Causes,
  checkArray,
  checkInteger,
  checkIntOrPercent,
  checkName,
  checkObject,
  checkStringMap,
} from './field-checks.js';
import type { ResourceType } from './resource-types.js';

/** Cluster-local allocators (Service cluster IPs and node ports). */
export class Allocator {
  private nextIp = 10;
  private nextNodePort = 30000;

  constructor(private readonly serviceCidrOctet: number) {}

  clusterIp(): string {
    const n = this.nextIp++;
    return `10.${this.serviceCidrOctet}.${Math.floor(n / 256) % 256}.${n % 256}`;
  }

  nodePort(): number {
    return this.nextNodePort++;
  }
}

function defaultPodSpec(spec: Record<string, unknown>): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  if (Array.isArray(spec.containers)) {
    for (const container of spec.containers) {
      if (!isRecord(container)) continue;
      container.imagePullPolicy ??= 'IfNotPresent';
      container.terminationMessagePath ??= '/dev/termination-log';
      container.terminationMessagePolicy ??= 'File';
      container.resources ??= {};
      if (Array.isArray(container.ports))
        for (const port of container.ports) if (isRecord(port)) port.protocol ??= 'TCP';
    }
  }
}

function checkPodSpec(causes: Causes, path: string, spec: unknown): void {
  if (!checkObject(causes, path, spec, true)) return;
  if (checkArray(causes, `${path}.containers`, spec.containers, true)) {
    if (spec.containers.length === 0) causes.required(`${path}.containers`);
    spec.containers.forEach((container, index) => {
      if (!isRecord(container) || typeof container.name !== 'string' || container.name === '')
        causes.required(`${path}.containers[${index}].name`);
      else if (checkArray(causes, `${path}.containers[${index}].ports`, container.ports, false)) {
        container.ports.forEach((port, portIndex) => {
          if (!isRecord(port))
            causes.invalid(`${path}.containers[${index}].ports[${portIndex}]`, port, 'must be an object');
          else
            checkInteger(
              causes,
              `${path}.containers[${index}].ports[${portIndex}].containerPort`,
              port.containerPort ?? -1,
              1,
              65535,
            );
        });
      }
    });
  }
  if (spec.nodeName !== undefined && typeof spec.nodeName !== 'string')
    causes.invalid(`${path}.nodeName`, spec.nodeName, 'must be a string');
  checkInteger(causes, `${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 0);
}

function checkWorkload(causes: Causes, object: KubeObject): void {
  const spec = object.spec;
  if (!checkObject(causes, 'spec', spec, true)) return;
  spec.replicas ??= 1;
  checkInteger(causes, 'spec.replicas', spec.replicas, 0);
  if (checkObject(causes, 'spec.selector', spec.selector, true))
    checkStringMap(causes, 'spec.selector.matchLabels', spec.selector.matchLabels);
  if (!checkObject(causes, 'spec.template', spec.template, true)) return;
  const template = spec.template;
  if (checkObject(causes, 'spec.template.metadata', template.metadata, false))
    checkStringMap(causes, 'spec.template.metadata.labels', template.metadata.labels);
  checkPodSpec(causes, 'spec.template.spec', template.spec);
  const labels =
    isRecord(template.metadata) && isRecord(template.metadata.labels)
      ? (template.metadata.labels as Record<string, string>)
      : {};
  if (causes.list.length === 0 && isRecord(spec.selector) && !selectorMatches(spec.selector, labels)) {
    causes.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`');
  }
  if (isRecord(template.spec)) defaultPodSpec(template.spec);
  spec.revisionHistoryLimit ??= 10;
  if (object.kind === 'Deployment') {
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  } else {
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  }
}

function checkService(causes: Causes, object: KubeObject, allocator: Allocator, old: KubeObject | undefined): void {
  const spec = object.spec;
  if (!checkObject(causes, 'spec', spec, true)) return;
  checkStringMap(causes, 'spec.selector', spec.selector);
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  const oldSpec = old && isRecord(old.spec) ? old.spec : undefined;
  spec.clusterIP ??= oldSpec?.clusterIP ?? allocator.clusterIp();
  spec.clusterIPs ??= [spec.clusterIP];
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') {
    spec.externalTrafficPolicy ??= 'Cluster';
    spec.allocateLoadBalancerNodePorts ??= true;
  }
  if (!checkArray(causes, 'spec.ports', spec.ports, false)) return;
  spec.ports.forEach((port, index) => {
    if (!isRecord(port)) return causes.invalid(`spec.ports[${index}]`, port, 'must be an object');
    checkInteger(causes, `spec.ports[${index}].port`, port.port ?? 0, 1, 65535);
    port.protocol ??= 'TCP';
    port.targetPort ??= port.port;
    if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') port.nodePort ??= allocator.nodePort();
  });
}

function checkPdb(causes: Causes, object: KubeObject): void {
  const spec = object.spec;
  if (!checkObject(causes, 'spec', spec, true)) return;
  checkObject(causes, 'spec.selector', spec.selector, false);
  checkIntOrPercent(causes, 'spec.minAvailable', spec.minAvailable);
  checkIntOrPercent(causes, 'spec.maxUnavailable', spec.maxUnavailable);
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    causes.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set');
  }
}

const microTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

/** Lease times are MicroTime: the real decoder refuses anything but six fractional digits (400). */
function checkLease(object: KubeObject): void {
  if (!isRecord(object.spec)) return;
  for (const field of ['acquireTime', 'renewTime'] as const) {
    const value = object.spec[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !microTime.test(value)) {
      throw errors.badRequest(
        `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse as RFC 3339 with microseconds`,
      );
    }
  }
  for (const field of ['leaseDurationSeconds', 'leaseTransitions'] as const) {
    const value = object.spec[field];
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isInteger(value))) {
      throw errors.badRequest(
        `Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal ${typeof value} into Go struct field LeaseSpec.spec.${field} of type int32`,
      );
    }
  }
}

function checkKind(causes: Causes, object: KubeObject, allocator: Allocator, old: KubeObject | undefined): void {
  switch (object.kind) {
    case 'Deployment':
    case 'StatefulSet':
      return checkWorkload(causes, object);
    case 'Pod':
      checkPodSpec(causes, 'spec', object.spec);
      if (isRecord(object.spec)) defaultPodSpec(object.spec);
      object.status ??= { phase: 'Pending', qosClass: 'BestEffort' };
      return;
    case 'Service':
      object.status ??= { loadBalancer: {} };
      return checkService(causes, object, allocator, old);
    case 'Node':
      if (
        checkObject(causes, 'spec', object.spec, false) &&
        object.spec.unschedulable !== undefined &&
        typeof object.spec.unschedulable !== 'boolean'
      ) {
        causes.invalid('spec.unschedulable', object.spec.unschedulable, 'must be a boolean');
      }
      return;
    case 'Namespace':
      object.spec ??= { finalizers: ['kubernetes'] };
      object.status ??= { phase: 'Active' };
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name };
      return;
    case 'PodDisruptionBudget':
      return checkPdb(causes, object);
    case 'EndpointSlice':
      if (typeof object.addressType !== 'string') causes.required('addressType');
      checkArray(causes, 'endpoints', object.endpoints, false);
      object.endpoints ??= null;
      return;
    case 'Lease':
      return checkLease(object);
    case 'HorizontalPodAutoscaler':
      return checkHorizontalPodAutoscaler(causes, object);
    case 'ScaledObject':
      return checkScaledObject(causes, object);
    case 'VirtualService':
      return checkVirtualService(causes, object.spec);
    case 'DestinationRule':
      return checkDestinationRule(causes, object.spec);
    default:
      return;
  }
}

/** Validates and defaults `object` in place; throws 422 Invalid naming every bad field. */
export function admit(type: ResourceType, object: KubeObject, allocator: Allocator, old?: KubeObject): void {
  const causes = new Causes();
  checkName(causes, object.metadata.name);
  checkStringMap(causes, 'metadata.labels', object.metadata.labels);
  checkStringMap(causes, 'metadata.annotations', object.metadata.annotations);
  if (object.metadata.ownerReferences !== undefined && !Array.isArray(object.metadata.ownerReferences)) {
    causes.invalid('metadata.ownerReferences', object.metadata.ownerReferences, 'must be a list');
  }
  if (causes.list.length === 0) checkKind(causes, object, allocator, old);
  if (causes.list.length > 0) throw errors.invalid(type.kind, type.group, object.metadata.name, causes.list);
}
