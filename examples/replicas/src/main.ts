// examples/replicas: starts three replica processes that share Redis (default) or PostgreSQL
// (--postgres), lets them run for 20 s (or --seconds N), and prints who ran which tick.
// Each tick is printed once: the replicas race for it and the store picks one.
//
//   npm start -w @tickwise/example-replicas                 # Redis at REDIS_URL (default 127.0.0.1:6379)
//   npm run start:postgres -w @tickwise/example-replicas    # PostgreSQL at DATABASE_URL

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const backend = process.argv.includes('--postgres') ? 'postgres' : 'redis';
const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 20;
const script = fileURLToPath(new URL('./replica.ts', import.meta.url));

console.log(`three replicas sharing ${backend === 'postgres' ? 'PostgreSQL' : 'Redis'}, for ${seconds} s:\n`);
const replicas = ['replica-a', 'replica-b', 'replica-c'].map((id) =>
  fork(script, [id, backend], { execArgv: process.execArgv, stdio: 'inherit' }),
);
await Promise.all(replicas.map((child) => new Promise((resolve) => child.once('message', resolve))));
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
for (const child of replicas) child.kill('SIGTERM');
await Promise.all(replicas.map((child) => new Promise((resolve) => child.once('exit', resolve))));
console.log('\nall replicas stopped');
