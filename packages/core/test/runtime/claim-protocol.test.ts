// The claim protocol as the scheduler drives it, on a VirtualClock with a MemoryStore whose
// answers a test can delay, fail or drop: batching, deadlines, completion retries, lease loss
// without answers, the clock offset, instance ids, stop() called twice.

import assert from 'node:assert/strict';
import { at, type ClaimStore, every, MemoryStore, type RunContext, Scheduler } from '@tickwise/core';
import type {
  BeatResult,
  ClaimBatch,
  CompletionBatch,
  HeldClaim,
  InstanceBeat,
  RenewalBatch,
} from '@tickwise/core/store';
import { VirtualClock } from '@tickwise/core/testing';
import { type HarnessOptions, harness, job } from '../helpers/harness.js';

type Fault = 'ok' | 'fail' | 'hang';

/** A MemoryStore on the clock whose operations a test can make fail or hang, counting round trips. */
function faultyStore(clock: VirtualClock, options: { durable?: boolean; offsetMs?: number } = {}) {
  const memory = new MemoryStore({ now: () => clock.now() + (options.offsetMs ?? 0) });
  const faults = { claim: 'ok' as Fault, renew: 'ok' as Fault, complete: 'ok' as Fault };
  const calls = { claim: [] as number[], renew: 0, complete: 0, release: [] as HeldClaim[] };
  const hung: { claim: (() => void)[] } = { claim: [] };
  const apply = async <T>(fault: Fault, work: () => Promise<T>, onHang?: (release: () => void) => void): Promise<T> => {
    if (fault === 'fail') throw new Error('ECONNRESET');
    if (fault === 'hang') {
      // The request "reaches the store" only when the test says so (a frozen server waking up).
      return new Promise<T>((resolve, reject) => onHang?.(() => work().then(resolve, reject)));
    }
    return work();
  };
  const store: ClaimStore = Object.assign(Object.create(memory) as MemoryStore, {
    durable: options.durable ?? false,
    claimTicks: (batch: ClaimBatch) => {
      calls.claim.push(batch.requests.length);
      return apply(
        faults.claim,
        () => memory.claimTicks(batch),
        (go) => hung.claim.push(go),
      );
    },
    renewLeases: (batch: RenewalBatch) => {
      calls.renew++;
      return apply(faults.renew, () => memory.renewLeases(batch));
    },
    completeRuns: (batch: CompletionBatch) => {
      calls.complete++;
      return apply(faults.complete, () => memory.completeRuns(batch));
    },
    releaseClaims: (owner: string, claims: readonly HeldClaim[]) => {
      calls.release.push(...claims);
      return memory.releaseClaims(owner, claims);
    },
    heartbeat: async (beat: InstanceBeat): Promise<BeatResult> => {
      const result = await memory.heartbeat(beat);
      // A store with a clock of its own reports it; the scheduler measures its offset from it.
      return options.offsetMs === undefined ? result : { ...result, storeTime: clock.now() + options.offsetMs };
    },
  });
  return { store, memory, faults, calls, hung };
}

/** The 00:00:00 tick of `job`, claimed (40 s lease, exclusive) by a replica that then died. */
async function holdAsDeadReplica(memory: MemoryStore, clock: VirtualClock, job: string): Promise<void> {
  await memory.claimTicks({
    owner: 'dead/1',
    deadline: clock.now() + 5000,
    maxEarlyMs: 0,
    requests: [
      {
        job,
        tick: Date.parse('2026-01-05T00:00:00Z'),
        leaseMs: 40_000,
        exclusive: true,
        retainMs: 120_000,
        takeoverOnly: false,
      },
    ],
  });
}

/** A harness whose store is a faultyStore on its clock. */
function faultyHarness(options: Omit<HarnessOptions, 'store'> = {}, storeOptions: { offsetMs?: number } = {}) {
  let made: ReturnType<typeof faultyStore> | undefined;
  const h = harness({
    ...options,
    store: (clock) => {
      made = faultyStore(clock, storeOptions);
      return made.store;
    },
  });
  if (!made) throw new Error('the harness did not make its store');
  return { ...h, parts: made };
}

/** Log lines at warn and error, for assertions on what an operator would see. */
function recordingLogger() {
  const lines: string[] = [];
  const log = (level: string) => (_fields: Record<string, unknown>, message: string) =>
    lines.push(`${level} ${message}`);
  return { lines, logger: { debug() {}, info() {}, warn: log('warn'), error: log('error') } };
}

describe('claims: batched', () => {
  it('claims every tick due at one instant in one round trip, and completes them in one', async () => {
    const h = faultyHarness();
    const { parts } = h;
    for (let i = 0; i < 1000; i++) h.scheduler.add(job({ name: `job-${i}`, schedule: every('1m') }));
    await h.scheduler.start();
    await h.clock.advance('1m');
    assert.equal(h.events.filter((e) => e.type === 'run:success').length, 1000);
    // Registration order is kept; the burst is handed over in slices, so a few batches, not 1,000.
    assert.ok(parts.calls.claim.length <= 10, `claim round trips: ${parts.calls.claim}`);
    assert.equal(
      parts.calls.claim.reduce((a, b) => a + b, 0),
      1000,
    );
    assert.ok(parts.calls.complete <= 10, `completion round trips: ${parts.calls.complete}`);
  });

  it('batchSize: 1 sends each claim on its own (the per-claim path the benchmark compares)', async () => {
    const h = faultyHarness({ batchSize: 1 });
    const { parts } = h;
    for (let i = 0; i < 50; i++) h.scheduler.add(job({ name: `job-${i}`, schedule: every('1m') }));
    await h.scheduler.start();
    await h.clock.advance('1m');
    assert.equal(h.events.filter((e) => e.type === 'run:success').length, 50);
    assert.deepEqual(parts.calls.claim, new Array(50).fill(1));
  });
});

describe('claims: replicas share the work of a burst', () => {
  it('each live replica starts claiming at its own share of the jobs due at once', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const memory = new MemoryStore({ now: () => clock.now() });
    const firstClaims = new Map<string, string[]>();
    const store: ClaimStore = Object.assign(Object.create(memory) as MemoryStore, {
      claimTicks: (batch: ClaimBatch) => {
        const replica = batch.owner.split('/')[0] as string;
        if (!firstClaims.has(replica))
          firstClaims.set(
            replica,
            batch.requests.slice(0, 3).map((r) => r.job),
          );
        return memory.claimTicks(batch);
      },
    });
    const schedulers = ['a', 'b'].map((id) => new Scheduler({ store, clock, env: {}, instanceId: id }));
    for (const scheduler of schedulers) {
      for (let i = 0; i < 10; i++) scheduler.add(job({ name: `job-${i}`, schedule: every('1m') }));
    }
    const ran = new Map<string, number>();
    for (const scheduler of schedulers) {
      scheduler.on('run:start', (e) => ran.set(e.job.name, (ran.get(e.job.name) ?? 0) + 1));
      await scheduler.start();
    }
    // After a beat, each knows both: 'a' (rank 0) starts at job-0, 'b' (rank 1) half-way, at job-5.
    await clock.advance('59s');
    firstClaims.clear();
    await clock.advance('1s');
    assert.deepEqual(Object.fromEntries(firstClaims), {
      a: ['job-0', 'job-1', 'job-2'],
      b: ['job-5', 'job-6', 'job-7'],
    });
    assert.deepEqual([...ran.values()], new Array(10).fill(1), 'each job ran once');
    for (const scheduler of schedulers) await scheduler.stop();
  });

  it('alone, a scheduler claims in registration order', async () => {
    const h = faultyHarness();
    const order: string[] = [];
    h.scheduler.on('run:start', (e) => order.push(e.job.name));
    for (let i = 0; i < 5; i++) h.scheduler.add(job({ name: `job-${i}`, schedule: every('1m') }));
    await h.scheduler.start();
    await h.clock.advance('1m');
    assert.deepEqual(order, ['job-0', 'job-1', 'job-2', 'job-3', 'job-4']);
  });
});

describe('claims: a slow or frozen store', () => {
  it('a claim that gets no answer in time is skipped as store-slow; a grant that arrives later is released', async () => {
    const h = faultyHarness();
    const { parts } = h;
    h.scheduler.add(job({ name: 'slow', schedule: every('1m') }));
    await h.scheduler.start();
    parts.faults.claim = 'hang';
    await h.clock.advance('1m');
    // The default lease is 30 s: a claim waits 5 s (and a little grace for the clock offset).
    await h.clock.advance('5249ms');
    assert.deepEqual(h.lines(), []);
    await h.clock.advance('1ms');
    assert.deepEqual(h.lines(), ['tick:skipped slow 00:01:00 store-slow']);
    // The store wakes up and handles the request it had been sent; the answer grants the claim...
    parts.faults.claim = 'ok';
    for (const go of parts.hung.claim.splice(0)) go();
    await h.clock.advance(0);
    // ...which is refused as late by the store's clock, so nothing is held, nothing released.
    assert.deepEqual(parts.calls.release, []);
    const [again] = await parts.memory.claimTicks({
      owner: 'other',
      deadline: h.clock.now() + 1000,
      maxEarlyMs: 0,
      requests: [
        {
          job: 'slow',
          tick: Date.parse('2026-01-05T00:01:00Z'),
          leaseMs: 1000,
          exclusive: false,
          retainMs: 1000,
          takeoverOnly: false,
        },
      ],
    });
    assert.equal(again?.acquired, true, 'the late request left no orphan claim in the store');
    await h.clock.advance('1m');
    assert.deepEqual(h.lines().slice(1), ['run:start slow 00:02:00', 'run:success slow 00:02:00']);
  });

  it('a grant that arrives after the scheduler stopped waiting (handled just before its deadline) is released at once', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const memory = new MemoryStore({ now: () => clock.now() });
    const released: HeldClaim[] = [];
    let answerAfterMs = 0;
    const store: ClaimStore = Object.assign(Object.create(memory) as MemoryStore, {
      // Decided at once, answered late: the answer is lost in a slow network.
      claimTicks: async (batch: ClaimBatch) => {
        const results = await memory.claimTicks(batch);
        await new Promise<void>((resolve) => clock.setTimer(resolve, answerAfterMs));
        return results;
      },
      releaseClaims: async (owner: string, claims: readonly HeldClaim[]) => {
        released.push(...claims);
        return memory.releaseClaims(owner, claims);
      },
    });
    const scheduler = new Scheduler({ store, clock, env: {}, instanceId: 'x' });
    scheduler.add(job({ name: 'lost-answer', schedule: every('1m') }));
    const skipped: string[] = [];
    scheduler.on('tick:skipped', (e) => skipped.push(e.reason));
    await scheduler.start();
    answerAfterMs = 6000;
    await clock.advance('1m6s');
    assert.deepEqual(skipped, ['store-slow']);
    assert.deepEqual(
      released.map((c) => [c.job, new Date(c.tick).toISOString()]),
      [['lost-answer', '2026-01-05T00:01:00.000Z']],
    );
    await scheduler.stop();
  });

  it('a tick refused as overlap is asked once more: behind a grant released at once it runs, behind a live run it is skipped once', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const memory = new MemoryStore({ now: () => clock.now() });
    const scheduler = new Scheduler({ store: memory, clock, env: {}, instanceId: 'b', logger: false });
    const ran: string[] = [];
    scheduler.add({
      name: 'shared',
      schedule: every('1s'),
      lease: '3s',
      run: (ctx: RunContext) => {
        ran.push(ctx.scheduledAt.toISOString().slice(17, 19));
      },
    });
    const skipped: string[] = [];
    scheduler.on('tick:skipped', (e) => skipped.push(`${e.tick.toISOString().slice(17, 19)} ${e.reason}`));
    await scheduler.start();
    // Another replica's grant for tick :10 that reached it after it stopped waiting (the store froze
    // mid-answer): it is released 1.1 s later, after this replica's claim of :11 was refused.
    const ghost = async (tick: string, releaseAfterMs: number | null) => {
      const at = Date.parse(tick);
      const request = {
        job: 'shared',
        tick: at,
        leaseMs: 3000,
        exclusive: true,
        retainMs: 60_000,
        takeoverOnly: false,
      };
      const [result] = await memory.claimTicks({
        owner: 'ghost',
        deadline: clock.now() + 5000,
        maxEarlyMs: 1000,
        requests: [request],
      });
      assert.ok(result?.acquired, `the ghost's claim of ${tick}: ${JSON.stringify(result)}`);
      if (releaseAfterMs !== null) {
        clock.setTimer(() => void memory.releaseClaims('ghost', [{ ...request, fence: result.fence }]), releaseAfterMs);
      }
    };
    await clock.runUntil('2026-01-05T00:00:09.999Z');
    await ghost('2026-01-05T00:00:10Z', 1100);
    await clock.runUntil('2026-01-05T00:00:12.5Z');
    assert.deepEqual(skipped, ['10 claimed-elsewhere']);
    assert.ok(ran.includes('11'), `ran ${ran.join(' ')}: :11 ran after the recheck`);
    // A run that really goes on elsewhere (never released, lease 3 s): each tick it blocks is skipped once, as overlap.
    await clock.runUntil('2026-01-05T00:00:19.999Z');
    await ghost('2026-01-05T00:00:20Z', null);
    await clock.runUntil('2026-01-05T00:00:24.5Z');
    assert.deepEqual(skipped.slice(1), ['20 claimed-elsewhere', '21 overlap', '22 overlap']);
    assert.ok(ran.includes('23') && !ran.includes('21') && !ran.includes('22'), `ran ${ran.join(' ')}`);
    await scheduler.stop();
  });

  it('a store that cannot be reached is store-unavailable, never overlap, and nothing runs blindly', async () => {
    const h = faultyHarness();
    const { parts } = h;
    h.scheduler.add(job({ name: 'down', schedule: every('1m') }));
    await h.scheduler.start();
    parts.faults.claim = 'fail';
    await h.clock.advance('3m');
    assert.deepEqual(h.lines(), [
      'tick:skipped down 00:01:00 store-unavailable',
      'tick:skipped down 00:02:00 store-unavailable',
      'tick:skipped down 00:03:00 store-unavailable',
    ]);
  });
});

describe('completion', () => {
  it('is retried through a blip, and the event says it was recorded', async () => {
    const h = faultyHarness();
    const { parts } = h;
    h.scheduler.add(
      job({
        name: 'blip',
        schedule: every('1m'),
        run: () => {
          parts.faults.complete = 'fail';
          h.clock.setTimer(() => (parts.faults.complete = 'ok'), 300);
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1m1s');
    const success = h.events.find((e) => e.type === 'run:success');
    assert.equal(success?.type === 'run:success' && success.completion, 'recorded');
    assert.ok(parts.calls.complete >= 3, `completion tries: ${parts.calls.complete}`);
    // Recorded: no other replica can claim the tick.
    const [other] = await parts.memory.claimTicks({
      owner: 'other',
      deadline: h.clock.now() + 1000,
      maxEarlyMs: 0,
      requests: [
        {
          job: 'blip',
          tick: Date.parse('2026-01-05T00:01:00Z'),
          leaseMs: 1000,
          exclusive: false,
          retainMs: 1000,
          takeoverOnly: false,
        },
      ],
    });
    assert.deepEqual(other, { acquired: false, reason: 'completed' });
  });

  it('keeps the lease renewed while it retries, and says unrecorded (and logs why) once the lease would end', async () => {
    const { lines, logger } = recordingLogger();
    const h = faultyHarness({ logger });
    const { parts } = h;
    h.scheduler.add(
      job({
        name: 'never',
        schedule: every('1m'),
        lease: '3s',
        run: () => {
          parts.faults.complete = 'fail';
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1m10s');
    const success = h.events.find((e) => e.type === 'run:success');
    assert.equal(success?.type === 'run:success' && success.completion, 'unrecorded');
    assert.ok(parts.calls.renew >= 2, 'the lease was renewed during the retries');
    assert.ok(
      lines.some((l) => l.startsWith('error') && /could not record its completion before the lease ran out/.test(l)),
    );
  });

  it('a tick due while the previous run has returned but its completion is not yet recorded is skipped as store-slow, not overlap', async () => {
    const h = faultyHarness();
    const { parts } = h;
    let runs = 0;
    h.scheduler.add(
      job({
        name: 'recording',
        schedule: every('1s'),
        lease: '3s',
        run: () => {
          runs++;
          if (runs === 1) {
            // The store refuses completions until 00:00:02.5, after the next tick (retried meanwhile).
            parts.faults.complete = 'fail';
            h.clock.setTimer(() => (parts.faults.complete = 'ok'), 1500);
          }
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('3100ms');
    assert.deepEqual(h.lines(), [
      'run:start recording 00:00:01',
      'tick:skipped recording 00:00:02 store-slow',
      'run:success recording 00:00:01',
      'run:start recording 00:00:03',
      'run:success recording 00:00:03',
    ]);
  });

  it('a tick due while the previous run is still in its handler is skipped as overlap', async () => {
    const h = faultyHarness();
    h.scheduler.add(job({ name: 'busy', schedule: every('1s'), lease: '3s', run: () => h.sleep(1500) }));
    await h.scheduler.start();
    await h.clock.advance('2100ms');
    assert.deepEqual(h.lines(), ['run:start busy 00:00:01', 'tick:skipped busy 00:00:02 overlap']);
  });

  it('a run whose tick was taken over meanwhile is told: completion rejected', async () => {
    const h = faultyHarness();
    const { parts } = h;
    const tick = Date.parse('2026-01-05T00:01:00Z');
    h.scheduler.add(
      job({
        name: 'taken',
        schedule: at('2026-01-05T00:01:00Z'),
        lease: '3s',
        // Cut off from the store, and deaf to its signal.
        run: () => {
          parts.faults.renew = 'hang';
          return h.sleep(10_000);
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1m');
    // The lease ends in the store at 00:01:03; another replica takes the tick over at 00:01:03.2.
    await h.clock.advance('3200ms');
    const [takeover] = await parts.memory.claimTicks({
      owner: 'other',
      deadline: h.clock.now() + 1000,
      maxEarlyMs: 0,
      requests: [{ job: 'taken', tick, leaseMs: 3000, exclusive: true, retainMs: 60_000, takeoverOnly: true }],
    });
    assert.equal(takeover?.acquired, true);
    await h.clock.advance('1m');
    const failure = h.events.find((e) => e.type === 'run:failure');
    assert.ok(failure?.type === 'run:failure', h.lines().join('\n'));
    assert.equal(failure.completion, 'rejected');
    assert.equal(failure.handlerStillRunning, true);
  });
});

describe('leases: a partition', () => {
  it("aborts the handler's signal (lease-lost) before the lease could end, though no renewal ever answers", async () => {
    const h = faultyHarness();
    const { parts } = h;
    let abortedAt: number | null = null;
    h.scheduler.add(
      job({
        name: 'cut-off',
        schedule: every('1h'),
        run: async (ctx: RunContext) => {
          parts.faults.renew = 'hang';
          parts.faults.complete = 'hang';
          await h.sleep(120_000, ctx.signal).catch(() => {
            abortedAt = h.clock.now();
          });
          throw ctx.signal.reason;
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1h3m');
    // Claimed at 01:00:00 with the default 30 s lease: the signal aborts 1 s before it could end.
    assert.equal(abortedAt, Date.parse('2026-01-05T01:00:29Z'));
    const failure = h.events.find((e) => e.type === 'run:failure');
    assert.ok(failure?.type === 'run:failure');
    assert.equal((failure.error as { reason?: string }).reason, 'lease-lost');
    assert.equal(failure.completion, 'unrecorded');
  });
});

describe('stop() called twice', () => {
  it('returns the same promise, and the second call does not cut renewals short', async () => {
    const h = faultyHarness();
    const { parts } = h;
    const lost: string[] = [];
    h.scheduler.add(
      job({
        name: 'long',
        schedule: every('1h'),
        lease: '3s',
        run: async (ctx: RunContext) => {
          ctx.signal.addEventListener('abort', () => lost.push(String((ctx.signal.reason as Error).message)));
          await h.sleep(20_000);
        },
      }),
    );
    await h.scheduler.start();
    await h.clock.advance('1h');
    const first = h.scheduler.stop({ graceMs: 60_000 });
    const second = h.scheduler.stop({ graceMs: 0 });
    assert.equal(first, second);
    let settled = false;
    void second.then(() => (settled = true));
    await h.clock.advance('10s');
    assert.equal(settled, false, 'the second call waits like the first');
    await h.clock.advance('11s');
    assert.deepEqual(await second, { stillRunning: [] });
    assert.deepEqual(lost, [], 'the lease was kept until the run ended');
    assert.ok(parts.calls.renew >= 5);
    const success = h.events.find((e) => e.type === 'run:success');
    assert.equal(success?.type === 'run:success' && success.completion, 'recorded');
  });
});

describe('instance ids', () => {
  it('a second live scheduler with the same instance id on one store fails to start, naming the id', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const store = new MemoryStore({ now: () => clock.now() });
    const a = new Scheduler({ store, clock, env: {}, instanceId: 'replica' });
    const b = new Scheduler({ store, clock, env: {}, instanceId: 'replica' });
    await a.start();
    const starting = b.start();
    const failed = assert.rejects(starting, {
      code: 'DUPLICATE_INSTANCE',
      message: /another live scheduler on this store uses the instance id 'replica'/,
    });
    // b waits for a's registration to run out (it would, had a crashed); a keeps beating.
    await clock.advance('30s');
    await failed;
    await a.stop();
  });

  it("starts once a crashed holder's registration has run out (a restart with the same id)", async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const store = new MemoryStore({ now: () => clock.now() });
    // The crashed process beat once and died.
    await store.heartbeat({ instanceId: 'pod-1', session: 'dead', ttlMs: 12_000 });
    const restarted = new Scheduler({ store, clock, env: {}, instanceId: 'pod-1' });
    let started = false;
    const starting = restarted.start().then(() => (started = true));
    await clock.advance('5s');
    assert.equal(started, false, 'waits while the old registration may still be live');
    await clock.advance('10s');
    await starting;
    assert.equal(started, true);
    await restarted.stop();
  });

  it('frees the id on stop, so a replacement starts at once', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const store = new MemoryStore({ now: () => clock.now() });
    const a = new Scheduler({ store, clock, env: {}, instanceId: 'replica' });
    await a.start();
    await a.stop();
    const b = new Scheduler({ store, clock, env: {}, instanceId: 'replica' });
    await b.start();
    await b.stop();
  });

  it('two schedulers with the default ids never collide, and claim as different owners', () => {
    const a = new Scheduler({ env: {} });
    const b = new Scheduler({ env: {} });
    assert.notEqual(a.instanceId, b.instanceId);
  });
});

describe('job names the store cannot hold', () => {
  it('a NUL character or a name longer than the store allows is a typed error at registration', () => {
    const { scheduler } = harness();
    assert.throws(() => scheduler.add(job({ name: 'a\u0000b', schedule: every('1m') })), {
      code: 'INVALID_JOB_NAME',
      message: /must not contain NUL/,
    });
    assert.throws(() => scheduler.add(job({ name: 'x'.repeat(1025), schedule: every('1m') })), {
      code: 'INVALID_JOB_NAME',
      message: /1025 bytes long; this claim store holds names of at most 1024 bytes/,
    });
    assert.throws(() => scheduler.add(job({ name: 'ü'.repeat(600), schedule: every('1m') })), {
      code: 'INVALID_JOB_NAME',
      message: /1200 bytes/,
    });
    scheduler.add(job({ name: 'x'.repeat(1024), schedule: every('1m') }));
  });
});

describe('clock offset from the store', () => {
  it("a replica whose clock is 150 s slow fires each tick when the store's clock reaches it, and says so", async () => {
    const { lines, logger } = recordingLogger();
    // The store's clock is 150 s ahead of this (virtual) machine's.
    const h = faultyHarness({ logger }, { offsetMs: 150_000 });
    h.scheduler.add(job({ name: 'skewed', schedule: every('1m') }));
    await h.scheduler.start();
    // Local 00:00:00 is store 00:02:30: the next tick, 00:03:00 store time, is 30 s away.
    await h.clock.advance('29s');
    assert.deepEqual(h.lines(), []);
    await h.clock.advance('1s');
    assert.deepEqual(h.lines(), ['run:start skewed 00:03:00', 'run:success skewed 00:03:00']);
    const start = h.events[0];
    assert.equal(start?.type === 'run:start' && start.latenessMs, 0);
    assert.equal((await h.scheduler.health()).store.clockOffsetMs, 150_000);
    assert.equal((await h.scheduler.health()).status, 'degraded');
    assert.ok(
      lines.some((l) => /clock is 150000 ms behind the store's/.test(l)),
      lines.join('\n'),
    );
  });
});

describe('takeovers', () => {
  it('a re-ask about a tick the store no longer knows (it lost its data) does not run it again', async () => {
    const { lines, logger } = recordingLogger();
    const h = faultyHarness({ logger });
    const { parts } = h;
    h.scheduler.add(job({ name: 'lost', schedule: every('1h'), lease: '3s' }));
    await h.scheduler.start();
    // Another replica holds the tick...
    const tick = Date.parse('2026-01-05T01:00:00Z');
    await h.clock.advance('59m59s');
    await parts.memory.claimTicks({
      owner: 'other',
      deadline: h.clock.now() + 5000,
      maxEarlyMs: 5000,
      requests: [{ job: 'lost', tick, leaseMs: 3000, exclusive: true, retainMs: 60_000, takeoverOnly: false }],
    });
    await h.clock.advance('1s');
    assert.deepEqual(h.lines(), ['tick:skipped lost 01:00:00 claimed-elsewhere']);
    // ...and the store forgets everything before the re-ask.
    Object.assign(parts.memory, { ledgers: new Map() });
    await h.clock.advance('10s');
    assert.deepEqual(h.lines(), ['tick:skipped lost 01:00:00 claimed-elsewhere'], 'not run');
    assert.ok(lines.some((l) => /no record of a tick it reported held elsewhere/.test(l)));
  });

  it('a replica that starts while another holds the latest tick takes it over if that holder dies', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const parts = faultyStore(clock, { durable: true });
    // A holder claimed the 00:00:00 tick of an every-minute job and died (no renewals); every
    // replica that saw the tick come has gone too (a rolling deploy).
    await holdAsDeadReplica(parts.memory, clock, 'probe');
    await clock.advance('30s');
    const scheduler = new Scheduler({ store: parts.store, clock, env: {}, instanceId: 'new' });
    const starts: string[] = [];
    scheduler.on('run:start', (e) => starts.push(`${e.tick.toISOString().slice(11, 19)} ${e.trigger}`));
    scheduler.add(job({ name: 'probe', schedule: every('1m'), lease: '40s' }));
    await scheduler.start();
    await clock.advance('10s');
    assert.deepEqual(starts, []);
    // The dead holder's lease ended at 00:00:40; the probe asks again just after.
    await clock.advance('1s');
    assert.deepEqual(starts, ['00:00:00 catch-up']);
    await clock.advance('19s');
    assert.deepEqual(starts, ['00:00:00 catch-up', '00:01:00 schedule']);
    await scheduler.stop();
  });

  it('a replica that comes up after the next tick (a slow start) still takes over the tick held before it', async () => {
    const clock = new VirtualClock('2026-01-05T00:00:00Z');
    const parts = faultyStore(clock, { durable: true });
    // The dead holder has held 00:00:00 since it came (a run longer than the period, renewed until
    // it died at 00:00:50); the 00:00:20 tick was skipped as overlap; the new replica starts at 00:00:25.
    await holdAsDeadReplica(parts.memory, clock, 'slow-start');
    await clock.advance('25s');
    const scheduler = new Scheduler({ store: parts.store, clock, env: {}, instanceId: 'new', logger: false });
    const starts: string[] = [];
    scheduler.on('run:start', (e) => starts.push(`${e.tick.toISOString().slice(11, 19)} ${e.trigger}`));
    scheduler.add(job({ name: 'slow-start', schedule: every('20s'), lease: '40s' }));
    await scheduler.start();
    await clock.advance('14s');
    assert.deepEqual(starts, []);
    // The holder's lease ends at 00:00:40: that tick runs, and the probe of the older tick asks
    // again just after and takes it over.
    await clock.advance('2s');
    assert.deepEqual(starts.sort(), ['00:00:00 catch-up', '00:00:40 schedule']);
    await scheduler.stop();
  });
});
