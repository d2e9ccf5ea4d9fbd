// The groups `npm run mutation` runs Stryker on: source files to mutate and the tests that kill
// their mutants (kept small and fast: every mutant runs the whole test command).
const steps = 'packages/core/test/runtime/steps';
const runtime = 'packages/core/test/runtime';
const src = 'packages/core/src/runtime';

export const MUTATION_GROUPS = {
  steps: {
    mutate: ['gate', 'completion', 'shutdown', 'tick-runner', 'due-ticks'].map((f) => `${src}/${f}.ts`),
    tests: [
      `${steps}/gate.test.ts`,
      `${steps}/completion.test.ts`,
      `${steps}/shutdown.test.ts`,
      `${steps}/tick-runner.test.ts`,
      `${steps}/due-ticks.test.ts`,
      `${runtime}/policies.test.ts`,
      `${runtime}/lifecycle.test.ts`,
    ],
  },
  claims: {
    mutate: ['claim', 'claim-batcher'].map((f) => `${src}/${f}.ts`),
    tests: [`${steps}/claim.test.ts`, `${runtime}/claim-protocol.test.ts`],
  },
  leases: {
    mutate: [`${src}/lease-keeper.ts`],
    tests: [`${runtime}/lease-keeper.test.ts`],
  },
  // The store contract (test/stores/replicas-in-process.test.ts) runs in real time, ~20 s a run:
  // too slow per mutant, so the MemoryStore is checked by the fast tests that use it.
  memory: {
    mutate: [`${src}/memory-store.ts`],
    tests: [`${runtime}/memory-store.test.ts`, `${runtime}/claim-protocol.test.ts`, `${runtime}/fleet.test.ts`],
  },
  fleet: {
    mutate: ['fleet-controls', 'fleet-status'].map((f) => `${src}/${f}.ts`),
    tests: [`${steps}/fleet-status.test.ts`, `${runtime}/fleet.test.ts`],
  },
  stores: {
    mutate: ['packages/redis/src/redis-store.ts', 'packages/postgres/src/postgres-store.ts'],
    tests: ['test/stores/redis.test.ts', 'test/stores/postgres.test.ts'],
  },
};
