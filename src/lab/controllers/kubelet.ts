/**
 * The kubelets of one cluster: a bound Pod starts after the start-up delay (a real listener
 * comes up), turns Ready after the readiness delay, and on deletion stops taking connections
 * at once, lets in-flight requests finish within the grace period, then is removed.
 */
import { randomBytes } from 'node:crypto';
import { isTerminating, type Condition, type Node, type Pod } from '../api/object-types.js';
import { keys } from '../api/resource-types.js';
import type { ClusterApi } from '../api/request-context.js';
import type { ControllerErrorHandler } from './work-queue.js';
import { recordEvent } from '../api/record-event.js';

export interface PodProcess {
  readonly ip: string;
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish (at most graceMs), then resolves. */
  drain(graceMs: number): Promise<void>;
  kill(): void;
}

export interface PodRuntime {
  start(pod: Pod, address: { ip: string; port: number }): Promise<PodProcess>;
}

export interface KubeletTiming {
  startupMs: number;
  readinessMs: number;
  terminationGraceMs: number;
}

export interface KubeletOptions {
  timing: KubeletTiming;
  runtime: PodRuntime;
  /** The next Pod IP of this cluster (unique loopback addresses on Linux). */
  allocateIp: () => string;
  onError: ControllerErrorHandler;
}

type PodState =
  | { phase: 'starting'; timer: NodeJS.Timeout }
  | { phase: 'running'; process: PodProcess; timer?: NodeJS.Timeout }
  | { phase: 'stopping'; process?: PodProcess };

function containerPort(pod: Pod): number {
  return pod.spec.containers[0]?.ports?.[0]?.containerPort ?? 8080;
}

function runningStatus(pod: Pod, process: PodProcess, hostIP: string, ready: boolean, now: string): Pod['status'] {
  const cond = (type: string, ok: boolean, reason?: string): Condition => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
    ...(reason ? { reason } : {}),
  });
  const previous = pod.status?.containerStatuses ?? [];
  return {
    ...pod.status,
    phase: 'Running',
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP: process.ip,
    podIPs: [{ ip: process.ip }],
    startTime: pod.status?.startTime ?? now,
    conditions: [
      cond('PodReadyToStartContainers', true),
      cond('Initialized', true),
      cond('Ready', ready, ready ? undefined : 'ContainersNotReady'),
      cond('ContainersReady', ready, ready ? undefined : 'ContainersNotReady'),
      cond('PodScheduled', true),
    ],
    containerStatuses: pod.spec.containers.map((container, index) => ({
      name: container.name,
      image: container.image ?? '',
      imageID: '',
      containerID:
        (previous[index]?.containerID as string | undefined) ?? `containerd://${randomBytes(32).toString('hex')}`,
      ready,
      started: true,
      restartCount: 0,
      state: {
        running: {
          startedAt:
            (previous[index]?.state as { running?: { startedAt?: string } } | undefined)?.running?.startedAt ?? now,
        },
      },
    })),
  };
}

export function startKubelets(cluster: ClusterApi, options: KubeletOptions): () => void {
  const kubelets = new Kubelets(cluster, options);
  const unsubscribe = cluster.store.subscribe((event) => kubelets.observe(event.type, event.key, event.object));
  return () => {
    unsubscribe();
    kubelets.stop();
  };
}

/** Every Node's kubelet of one cluster: starts scheduled Pods' processes, drains terminating ones. */
class Kubelets {
  private readonly states = new Map<string, PodState>();
  private stopped = false;

  constructor(
    private readonly cluster: ClusterApi,
    private readonly options: KubeletOptions,
  ) {}

  observe(type: string, key: string, object: unknown): void {
    if (key !== keys.pods || this.stopped) return;
    const pod = object as Pod;
    const state = this.states.get(pod.metadata.uid);
    if (type === 'DELETED') return this.deleted(pod, state);
    if (isTerminating(pod)) this.terminate(pod);
    else if (!state && pod.spec.nodeName && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')
      this.start(pod);
  }

  stop(): void {
    this.stopped = true;
    for (const state of this.states.values()) {
      if (state.phase === 'starting') clearTimeout(state.timer);
      if (state.phase === 'running' && state.timer) clearTimeout(state.timer);
      if (state.phase !== 'starting') state.process?.kill();
    }
    this.states.clear();
  }

  /** Force deletion (grace 0) or the final removal: whatever still runs stops now. */
  private deleted(pod: Pod, state: PodState | undefined): void {
    this.cluster.logs.forget(pod.metadata.namespace ?? '', pod.metadata.name);
    if (state?.phase === 'starting') clearTimeout(state.timer);
    if (state?.phase === 'running') {
      if (state.timer) clearTimeout(state.timer);
      state.process.kill();
    }
    if (state?.phase !== 'stopping') this.states.delete(pod.metadata.uid);
  }

  private start(pod: Pod): void {
    const { uid, namespace = '', name } = pod.metadata;
    const timer = setTimeout(() => {
      this.options.runtime
        .start(pod, { ip: this.options.allocateIp(), port: containerPort(pod) })
        .then((process) => this.running(pod, process))
        .catch((error: unknown) => this.options.onError('kubelet', `${namespace}/${name}`, error));
    }, this.options.timing.startupMs);
    this.states.set(uid, { phase: 'starting', timer });
  }

  /** The process listens: the Pod runs now and turns Ready after the readiness delay. */
  private running(pod: Pod, process: PodProcess): void {
    const { uid, namespace = '', name } = pod.metadata;
    const state = this.states.get(uid);
    if (this.stopped || !state || state.phase !== 'starting') {
      process.kill();
      return;
    }
    const hostIp = this.hostIpOf(pod.spec.nodeName ?? '');
    const readyTimer = setTimeout(() => {
      this.writeStatus(uid, namespace, name, (current) =>
        runningStatus(current, process, hostIp, true, this.cluster.store.timestamp()),
      );
      this.note(pod, 'Ready', `Readiness probe succeeded: listening on ${process.ip}:${process.port}`);
    }, this.options.timing.readinessMs);
    this.states.set(uid, { phase: 'running', process, timer: readyTimer });
    this.writeStatus(uid, namespace, name, (current) =>
      runningStatus(current, process, hostIp, false, this.cluster.store.timestamp()),
    );
    this.note(pod, 'Started', 'Started container server');
  }

  private terminate(pod: Pod): void {
    const { uid, namespace, name } = pod.metadata;
    const state = this.states.get(uid);
    const finish = (): void => {
      this.states.delete(uid);
      const current = this.cluster.store.peek<Pod>(keys.pods, namespace, name);
      if (current && current.metadata.uid === uid) this.cluster.store.remove(keys.pods, namespace, name);
    };
    if (!state || state.phase === 'starting') {
      if (state) clearTimeout(state.timer);
      this.states.set(uid, { phase: 'stopping' });
      setImmediate(finish);
      return;
    }
    if (state.phase === 'stopping') return;
    this.note(pod, 'Killing', 'Stopping container server');
    if (state.timer) clearTimeout(state.timer);
    this.states.set(uid, { phase: 'stopping', process: state.process });
    const graceMs = Math.min(
      (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000,
      this.options.timing.terminationGraceMs,
    );
    state.process
      .drain(graceMs)
      .catch((error: unknown) => this.options.onError('kubelet', `${namespace ?? ''}/${name}`, error))
      .finally(() => {
        if (!this.stopped) finish();
      });
  }

  private hostIpOf(nodeName: string): string {
    const node = this.cluster.store.peek<Node>(keys.nodes, undefined, nodeName);
    const addresses = (node?.status?.addresses ?? []) as { type: string; address: string }[];
    return addresses.find((address) => address.type === 'InternalIP')?.address ?? '127.0.0.1';
  }

  private writeStatus(uid: string, namespace: string, name: string, build: (pod: Pod) => Pod['status']): void {
    const pod = this.cluster.store.peek<Pod>(keys.pods, namespace, name);
    if (!pod || pod.metadata.uid !== uid || isTerminating(pod)) return;
    this.cluster.store.update(keys.pods, { ...structuredClone(pod), status: build(pod) });
  }

  /** The kubelet's events; only for a Pod still there (a Pod deleted meanwhile has its own story). */
  private note(pod: Pod, reason: string, message: string): void {
    const current = this.cluster.store.peek<Pod>(keys.pods, pod.metadata.namespace, pod.metadata.name);
    if (!current || current.metadata.uid !== pod.metadata.uid) return;
    recordEvent(this.cluster.store, current, {
      type: 'Normal',
      reason,
      message,
      component: 'kubelet',
      host: pod.spec.nodeName,
    });
  }
}
