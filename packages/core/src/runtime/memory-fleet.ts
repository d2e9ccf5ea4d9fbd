// The MemoryStore's fleet state (fleet-store.ts): run history, replica records and fleet controls
// in plain maps, for one process. The same rules as the shared stores, so the fleet view and its
// tests behave the same on the embedded default.

import {
  type FleetControls,
  type PauseRecord,
  REPLICA_RECORD_MS,
  type ReplicaRecord,
  type ResolvedHistory,
  type RunQuery,
  TRIGGER_TTL_MS,
  type TriggerRecord,
} from './fleet-store.js';
import type { CatalogEntry, InstanceBeat, RunRecord } from './store.js';

interface ReplicaEntry {
  info: InstanceBeat['info'];
  catalog: readonly CatalogEntry[];
  lastSeen: number;
}

export class MemoryFleet {
  /** Per job, newest last (appended), trimmed to maxRuns. */
  private readonly runs = new Map<string, RunRecord[]>();
  private readonly replicas = new Map<string, ReplicaEntry>();
  private readonly pauses = new Map<string, PauseRecord>();
  private readonly triggers: TriggerRecord[] = [];
  private triggerCount = 0;
  private readonly watchers = new Set<() => void>();

  constructor(
    readonly history: ResolvedHistory | null,
    private readonly now: () => number,
  ) {}

  /** A completion was recorded for the first time: keep its run. */
  append(record: RunRecord): void {
    if (!this.history) return;
    let list = this.runs.get(record.job);
    if (!list) {
      list = [];
      this.runs.set(record.job, list);
    }
    list.push(record);
    if (list.length > this.history.maxRuns) list.splice(0, list.length - this.history.maxRuns);
  }

  /** A beat: the replica's details (and catalog, when sent). */
  beat(instanceId: string, info: InstanceBeat['info'], now: number): void {
    if (!info) return;
    const previous = this.replicas.get(instanceId);
    this.replicas.set(instanceId, { info, catalog: info.catalog ?? previous?.catalog ?? [], lastSeen: now });
  }

  listRuns(query: RunQuery = {}): RunRecord[] {
    const history = this.history;
    if (!history) return [];
    const limit = Math.min(query.limit ?? history.maxRuns, history.maxRuns);
    const oldest = this.now() - history.maxAgeMs;
    const lists = query.job === undefined ? [...this.runs.values()] : [this.runs.get(query.job) ?? []];
    const out: RunRecord[] = [];
    for (const list of lists) {
      const kept = list.filter((run) => run.startedAt + run.durationMs >= oldest);
      out.push(...kept.slice(-limit));
    }
    return out.sort(newestFirst);
  }

  listReplicas(isLive: (instanceId: string) => boolean): ReplicaRecord[] {
    const now = this.now();
    const out: ReplicaRecord[] = [];
    for (const [instanceId, entry] of this.replicas) {
      if (entry.lastSeen + REPLICA_RECORD_MS <= now) {
        this.replicas.delete(instanceId);
        continue;
      }
      const { catalog: _sent, ...info } = entry.info ?? {
        host: '',
        pid: 0,
        startedAt: 0,
        jobs: 0,
        clockOffsetMs: null,
      };
      out.push({ ...info, instanceId, lastSeen: entry.lastSeen, alive: isLive(instanceId), catalog: entry.catalog });
    }
    return out.sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  }

  readControls(): FleetControls {
    const now = this.now();
    for (const [pattern, pause] of this.pauses)
      if (pause.until !== null && pause.until <= now) this.pauses.delete(pattern);
    while (this.triggers.length > 0 && (this.triggers[0] as TriggerRecord).at + TRIGGER_TTL_MS <= now)
      this.triggers.shift();
    return { storeTime: now, pauses: [...this.pauses.values()], triggers: [...this.triggers] };
  }

  watch(changed: () => void): () => void {
    this.watchers.add(changed);
    return () => this.watchers.delete(changed);
  }

  pause(pattern: string, reason: string, by: string, forMs: number | null): PauseRecord {
    const at = this.now();
    const record: PauseRecord = { pattern, reason, by, at, until: forMs === null ? null : at + forMs };
    this.pauses.set(pattern, record);
    this.changed();
    return record;
  }

  resume(pattern: string): boolean {
    const removed = this.pauses.delete(pattern);
    if (removed) this.changed();
    return removed;
  }

  trigger(job: string, by: string): TriggerRecord {
    // Two requests in the same millisecond are two ticks: the second one is a millisecond later.
    let at = this.now();
    for (const earlier of this.triggers) if (earlier.job === job && earlier.at >= at) at = earlier.at + 1;
    const record: TriggerRecord = { id: `m${++this.triggerCount}-${at.toString(36)}`, job, by, at };
    this.triggers.push(record);
    this.changed();
    return record;
  }

  /** After the caller's await: a watcher then reads what was written. */
  private changed(): void {
    for (const watcher of this.watchers) queueMicrotask(watcher);
  }
}

function newestFirst(a: RunRecord, b: RunRecord): number {
  return b.startedAt + b.durationMs - (a.startedAt + a.durationMs);
}
