/**
 * One cluster's object storage: what etcd plus the generic registry give a real apiserver.
 * One monotonically increasing resourceVersion per cluster, a bounded event history for
 * watches (older starts get 410 Gone), uid/creationTimestamp/generation bookkeeping, and
 * no-op writes skipped, as GuaranteedUpdate skips them.
 */
import { randomUUID } from 'node:crypto';
import { errors } from './status.js';
import { resourceByKey, type ResourceKey } from './resource-types.js';
import { objectKey, type KubeObject } from './object-types.js';

/** Kubernetes' time format: RFC 3339 in UTC with whole seconds (metav1.Time). */
function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  key: ResourceKey;
  object: KubeObject;
  /** The object before a MODIFIED event, so filtered watches can turn it into ADDED/DELETED. */
  previous?: KubeObject;
  revision: number;
}

export type StoreListener = (event: StoreEvent) => void;

export interface StoreOptions {
  /** How many events a watch may replay; an older resourceVersion answers 410 Gone. */
  historyLimit?: number;
  now?: () => Date;
  /** A listener that throws must not undo or fail the write that notified it. */
  onListenerError?: (error: unknown) => void;
}

/** Spec-like content: everything but metadata and status, which is what bumps `generation`. */
function specOf(object: KubeObject): string {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return JSON.stringify(rest);
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (object: KubeObject): string =>
    JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: '' } });
  return strip(a) === strip(b);
}

export class ObjectStore {
  private revision = 0;
  private readonly tables = new Map<ResourceKey, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  /** Highest revision no longer in `history`: a watch must start at or after it. */
  private compactedRevision = 0;
  private readonly listeners = new Set<StoreListener>();
  private readonly historyLimit: number;
  /** The store's clock (injectable): every time the lab writes comes from it. */
  readonly now: () => Date;
  private readonly onListenerError: (error: unknown) => void;

  constructor(options: StoreOptions = {}) {
    this.historyLimit = options.historyLimit ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.onListenerError = options.onListenerError ?? (() => undefined);
  }

  /** Now (plus `offsetMs`) on the store's clock, as Kubernetes writes times: RFC 3339, whole seconds. */
  timestamp(offsetMs = 0): string {
    return kubeTime(new Date(this.now().getTime() + offsetMs));
  }

  get currentRevision(): number {
    return this.revision;
  }

  private table(key: ResourceKey): Map<string, KubeObject> {
    let table = this.tables.get(key);
    if (!table) {
      table = new Map();
      this.tables.set(key, table);
    }
    return table;
  }

  /** Read-only views into the store; callers must not mutate them (use `get` for a copy). */
  peekAll<T extends KubeObject = KubeObject>(key: ResourceKey, namespace?: string): readonly T[] {
    const all = [...this.table(key).values()] as T[];
    return namespace === undefined ? all : all.filter((object) => object.metadata.namespace === namespace);
  }

  peek<T extends KubeObject = KubeObject>(
    key: ResourceKey,
    namespace: string | undefined,
    name: string,
  ): T | undefined {
    return this.table(key).get(objectKey(namespace, name)) as T | undefined;
  }

  list<T extends KubeObject = KubeObject>(key: ResourceKey, namespace?: string): T[] {
    return this.peekAll<T>(key, namespace).map((object) => structuredClone(object));
  }

  get<T extends KubeObject = KubeObject>(key: ResourceKey, namespace: string | undefined, name: string): T | undefined {
    const object = this.peek<T>(key, namespace, name);
    return object ? structuredClone(object) : undefined;
  }

  private emit(type: WatchEventType, key: ResourceKey, object: KubeObject, previous?: KubeObject): void {
    const event: StoreEvent = { type, key, object, revision: this.revision };
    if (previous) event.previous = previous;
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRevision = dropped[dropped.length - 1]?.revision ?? this.compactedRevision;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  create<T extends KubeObject>(key: ResourceKey, input: T): T {
    const type = resourceByKey(key);
    const id = objectKey(input.metadata.namespace, input.metadata.name);
    const table = this.table(key);
    if (table.has(id)) throw errors.alreadyExists(type.group, type.plural, input.metadata.name);
    this.revision += 1;
    const object = structuredClone(input);
    object.metadata.uid = randomUUID();
    object.metadata.resourceVersion = String(this.revision);
    object.metadata.creationTimestamp = this.timestamp();
    object.metadata.generation = 1;
    delete object.metadata.deletionTimestamp;
    table.set(id, object);
    this.emit('ADDED', key, object);
    return structuredClone(object);
  }

  /**
   * Replaces an object. `expectedVersion` (when given) must equal the stored one, else 409.
   * System metadata is kept from the stored object; unchanged content is not a write.
   */
  update<T extends KubeObject>(key: ResourceKey, input: T, expectedVersion?: string): T {
    const type = resourceByKey(key);
    const id = objectKey(input.metadata.namespace, input.metadata.name);
    const table = this.table(key);
    const current = table.get(id);
    if (!current) throw errors.notFound(type.group, type.plural, input.metadata.name);
    if (
      expectedVersion !== undefined &&
      expectedVersion !== '' &&
      expectedVersion !== current.metadata.resourceVersion
    ) {
      throw errors.conflict(type.group, type.plural, input.metadata.name);
    }
    const object = structuredClone(input);
    object.metadata.uid = current.metadata.uid;
    object.metadata.creationTimestamp = current.metadata.creationTimestamp;
    object.metadata.generation = (current.metadata.generation ?? 1) + (specOf(object) === specOf(current) ? 0 : 1);
    if (current.metadata.deletionTimestamp !== undefined) {
      object.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      if (current.metadata.deletionGracePeriodSeconds !== undefined)
        object.metadata.deletionGracePeriodSeconds = current.metadata.deletionGracePeriodSeconds;
    }
    object.metadata.resourceVersion = current.metadata.resourceVersion;
    if (sameContent(object, current)) return structuredClone(current) as T;
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    table.set(id, object);
    this.emit('MODIFIED', key, object, current);
    return structuredClone(object);
  }

  /** Marks an object as being deleted (graceful deletion); the owner removes it later. */
  markDeleting(
    key: ResourceKey,
    namespace: string | undefined,
    name: string,
    graceSeconds: number,
  ): KubeObject | undefined {
    const current = this.table(key).get(objectKey(namespace, name));
    if (!current) return undefined;
    if (current.metadata.deletionTimestamp !== undefined) return structuredClone(current);
    this.revision += 1;
    const object = structuredClone(current);
    object.metadata.deletionTimestamp = this.timestamp(graceSeconds * 1000);
    object.metadata.deletionGracePeriodSeconds = graceSeconds;
    object.metadata.resourceVersion = String(this.revision);
    this.table(key).set(objectKey(namespace, name), object);
    this.emit('MODIFIED', key, object, current);
    return structuredClone(object);
  }

  remove(key: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined {
    const id = objectKey(namespace, name);
    const table = this.table(key);
    const current = table.get(id);
    if (!current) return undefined;
    table.delete(id);
    this.revision += 1;
    const object = structuredClone(current);
    object.metadata.resourceVersion = String(this.revision);
    this.emit('DELETED', key, object);
    return structuredClone(object);
  }

  /** Events after `revision`, or 'expired' when history no longer reaches back that far. */
  eventsSince(revision: number): StoreEvent[] | 'expired' {
    if (revision < this.compactedRevision) return 'expired';
    return this.history.filter((event) => event.revision > revision);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
