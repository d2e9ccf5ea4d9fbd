// What docs/security.md (section 4, TLS) promises, against throwaway servers of this test's own
// that speak TLS only, with a private CA made here by the openssl CLI: a RedisStore on a rediss://
// URL (the CA in redisOptions.tls) and a PostgresStore on a sslmode=verify-full connection string
// or on a pool with ssl: { rejectUnauthorized: true, ca } initialise and claim ticks; with an
// unrelated CA, no CA, an address the certificate is not for, or no TLS, they fail at once.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClaimStore, StoreError } from '@tickwise/core';
import { migrate, PostgresStore } from '@tickwise/postgres';
import { RedisStore } from '@tickwise/redis';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, requireTool, sleep, uniqueName } from '../helpers/services.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway-postgres.js';
import { launchRedisServer, type RedisProcess } from '../helpers/throwaway-redis.js';

/** A failed connection must be reported within this (the stores' connect timeouts are 2 s and 5 s). */
const PROMPTLY_MS = 4000;

interface Certificates {
  dir: string;
  /** The CA that signed the servers' certificate, PEM, and its file. */
  ca: string;
  caFile: string;
  /** A CA of the same name with another key: it signed nothing the servers present. */
  impostorCa: string;
  impostorCaFile: string;
  /** The servers' certificate (CN and DNS name localhost, IP address 127.0.0.1) and key, PEM. */
  cert: string;
  key: string;
}

/** A throwaway CA, a server certificate it signed, and an unrelated CA, under a new temp dir. */
function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'tickwise-tls-'));
  // Arguments are split at spaces (no path has one: the files are in the working directory).
  const openssl = (command: string, ...more: string[]) =>
    execFileSync('openssl', [...command.split(' '), ...more], { cwd: dir, stdio: 'pipe' });
  const newKey = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  for (const name of ['ca', 'impostor-ca']) {
    openssl(`req -x509 ${newKey} -keyout ${name}.key -out ${name}.crt -days 2`, '-subj', '/CN=Tickwise test CA');
  }
  openssl(`req ${newKey} -keyout server.key -out server.csr -subj /CN=localhost`);
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName = DNS:localhost, IP:127.0.0.1\nbasicConstraints = critical, CA:FALSE\nextendedKeyUsage = serverAuth\n',
  );
  openssl(
    'x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial 1 -days 2 -extfile server.ext -out server.crt',
  );
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    dir,
    ca: read('ca.crt'),
    caFile: join(dir, 'ca.crt'),
    impostorCa: read('impostor-ca.crt'),
    impostorCaFile: join(dir, 'impostor-ca.crt'),
    cert: read('server.crt'),
    key: read('server.key'),
  };
}

/** As requireTool does for a missing tool: fails in CI, skips loudly elsewhere. */
function requireSupport(context: Mocha.Context, message: string): never {
  if (process.env.CI) throw new Error(`${message}: CI needs it`);
  console.warn(`\n  !!! SKIPPING: ${message}\n`);
  context.skip();
}

/** Claims a fresh job for one owner, then for another: the first gets it, the second is refused. */
async function claimsOnce(store: ClaimStore): Promise<void> {
  const job = uniqueName('tls');
  const claim = (owner: string) =>
    store.claimTicks({
      owner,
      deadline: Date.now() + 5000,
      maxEarlyMs: 250,
      requests: [{ job, tick: 60_000, leaseMs: 5000, exclusive: true, retainMs: 10_000, takeoverOnly: false }],
    });
  const [first] = await claim('a');
  assert.equal(first?.acquired, true, `the first claim: ${JSON.stringify(first)}`);
  const [second] = await claim('b');
  assert.equal(second?.acquired, false, 'the tick is held: another owner is refused');
}

/**
 * The verification codes of a chain no trusted CA signed: Redis sends its chain up to the root
 * (SELF_SIGNED_CERT_IN_CHAIN), PostgreSQL the server certificate alone (UNABLE_TO_VERIFY_LEAF_SIGNATURE).
 */
const UNTRUSTED = /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/;
/** The server's certificate is not for the host the client connected to. */
const WRONG_NAME = /^ERR_TLS_CERT_ALTNAME_INVALID$/;

/**
 * `init()` fails promptly with STORE_UNAVAILABLE whose cause has a TLS error code matching `code`:
 * the client refused the server's certificate.
 */
async function refused(store: RedisStore | PostgresStore, code: RegExp): Promise<void> {
  const started = Date.now();
  await assert.rejects(store.init(), (error: unknown) => {
    assert.ok(error instanceof StoreError, `not a StoreError: ${error}`);
    assert.equal(error.code, 'STORE_UNAVAILABLE', error.message);
    assert.match(String((error.cause as { code?: unknown } | undefined)?.code), code, error.message);
    return true;
  });
  const took = Date.now() - started;
  assert.ok(took < PROMPTLY_MS, `init() took ${took} ms to fail`);
}

describe('TLS (docs/security.md, section 4)', () => {
  let certificates: Certificates | undefined;
  before(function () {
    requireTool(this, '/usr/bin/openssl', 'apt-get install openssl');
    certificates = makeCertificates();
  });
  after(() => {
    if (certificates) rmSync(certificates.dir, { recursive: true, force: true });
  });
  const pki = () => certificates as Certificates;

  it('docs/security.md names the options tested here', () => {
    const bullet = /^- \[ \] TLS:[\s\S]*?(?=^- )/m.exec(readFileSync('docs/security.md', 'utf8'))?.[0] ?? '';
    const spaced = bullet.replace(/\s+/g, ' ');
    for (const option of [
      'rediss://',
      'redisOptions: { tls: { ca } }',
      'sslmode=verify-full',
      'sslrootcert=',
      'ssl: { rejectUnauthorized: true, ca }',
      'uselibpqcompat=true',
      '[test/stores/tls.test.ts',
    ]) {
      assert.ok(spaced.includes(option), `the TLS bullet names ${option}`);
    }
  });

  describe('Redis: rediss:// URLs, on a redis-server that listens only for TLS', () => {
    let server: RedisProcess | undefined;
    let port = 0;
    before(async function () {
      requireTool(this, '/usr/bin/redis-server', 'apt-get install redis-server');
      const { dir, caFile } = pki();
      port = await freePort();
      // The helper's port is plain TCP (it waits on it until the server answers); closed below.
      const plainPort = await freePort();
      const tls = [
        ...['--tls-port', String(port), '--bind', '127.0.0.1 127.0.0.2', '--tls-auth-clients', 'no'],
        ...['--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key')],
        ...['--tls-ca-cert-file', caFile],
      ];
      try {
        server = await launchRedisServer(plainPort, dir, tls);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // A build without TLS does not know the tls-* directives.
        if (/Bad directive/.test(message) && /'tls-/.test(message)) {
          requireSupport(this, `redis-server does not support TLS (a build with BUILD_TLS=yes): ${message}`);
        }
        throw error;
      }
      const admin = new Redis({ port: plainPort, lazyConnect: true, retryStrategy: () => null });
      try {
        await admin.connect();
        await admin.config('SET', 'port', '0'); // no plain TCP port any more: --port 0
      } finally {
        admin.disconnect();
      }
      const plain = new Redis({ port: plainPort, lazyConnect: true, retryStrategy: () => null });
      plain.on('error', () => {});
      await assert.rejects(plain.connect(), /ECONNREFUSED|Connection is closed/, 'the plain port is closed');
    });
    after(async () => {
      if (!server) return;
      process.kill(server.pid, 'SIGTERM');
      await server.exited;
    });

    const store = (url: string, ca?: string) =>
      new RedisStore({
        client: url,
        prefix: `${uniqueName('tls')}:`,
        ...(ca !== undefined && { redisOptions: { tls: { ca } } }),
      });

    it('rediss:// with the CA in redisOptions.tls: init() and a claim, over TLS', async () => {
      const redis = store(`rediss://localhost:${port}`, pki().ca);
      try {
        await redis.init();
        await claimsOnce(redis);
      } finally {
        await redis.close();
      }
    });

    it('rediss:// to 127.0.0.1 (the IP address in the certificate) works too', async () => {
      const redis = store(`rediss://127.0.0.1:${port}`, pki().ca);
      try {
        await redis.init();
        await claimsOnce(redis);
      } finally {
        await redis.close();
      }
    });

    it('rediss:// with an unrelated CA (same name, other key): a certificate error, at once; close() ends the retries', async () => {
      const redis = store(`rediss://localhost:${port}`, pki().impostorCa);
      // The client the store made from the URL: it keeps reconnecting in the background until close().
      const client = (redis as unknown as { redis: Redis }).redis;
      let attempts = 0;
      client.on('connecting', () => {
        attempts++;
      });
      try {
        await refused(redis, UNTRUSTED);
        const deadline = Date.now() + 3000;
        while (attempts < 3 && Date.now() < deadline) await sleep(20);
        assert.ok(attempts >= 3, `${attempts} connection attempts: the client retries until close()`);
      } finally {
        await redis.close();
      }
      const closedAt = attempts;
      await sleep(500); // ioredis's retry delays start at 50 ms
      assert.equal(attempts, closedAt, 'no connection attempt after close()');
    });

    it('rediss:// without a CA (Node.js trusts only the public CAs): a certificate error', async () => {
      const redis = store(`rediss://localhost:${port}`);
      try {
        await refused(redis, UNTRUSTED);
      } finally {
        await redis.close();
      }
    });

    it('rediss:// to an address the certificate is not for (127.0.0.2): refused, the name is checked', async () => {
      const redis = store(`rediss://127.0.0.2:${port}`, pki().ca);
      try {
        await refused(redis, WRONG_NAME);
      } finally {
        await redis.close();
      }
    });

    it('a plain redis:// URL on the TLS port: init() fails', async () => {
      const redis = store(`redis://localhost:${port}`);
      const started = Date.now();
      try {
        await assert.rejects(redis.init(), { name: 'StoreError', code: 'STORE_UNAVAILABLE' });
      } finally {
        await redis.close();
      }
      assert.ok(Date.now() - started < PROMPTLY_MS + 2000, `took ${Date.now() - started} ms`);
    });
  });

  describe('PostgreSQL: verify-full connection strings and pools with ssl, on a server that takes TCP over TLS only', () => {
    let server: ThrowawayPostgres | undefined;
    before(async function () {
      this.timeout(60_000);
      const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
      const bin = `/usr/lib/postgresql/${versions.sort((a, b) => Number(a) - Number(b)).at(-1) ?? '<version>'}/bin`;
      requireTool(this, `${bin}/initdb`, 'apt-get install postgresql');
      requireTool(this, `${bin}/pg_ctl`, 'apt-get install postgresql');
      const { cert, key } = pki();
      server = await startThrowawayPostgres({
        files: { 'server.crt': cert, 'server.key': key },
        settings: {
          ssl: 'on',
          ssl_cert_file: 'server.crt',
          ssl_key_file: 'server.key',
          listen_addresses: '127.0.0.1,127.0.0.2',
        },
        // TCP only over TLS: a connection without it finds no entry ("no encryption").
        hba: 'local all all trust\nhostssl all all 127.0.0.0/8 trust\n',
      });
    });
    after(() => server?.destroy());

    const address = (host = '127.0.0.1') => `postgres://postgres@${host}:${server?.port}/postgres`;
    const verifyFull = (caFile: string, host?: string) =>
      `${address(host)}?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`;

    /** Migrates a fresh schema through `pool` and returns it. */
    async function migrated(pool: pg.Pool): Promise<string> {
      const schema = uniqueName('tls').toLowerCase();
      await migrate(pool, { schema });
      return schema;
    }

    it('sslmode=verify-full&sslrootcert=<CA>: migrate, init() and a claim, over TLS', async () => {
      const url = verifyFull(pki().caFile);
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      let postgres: PostgresStore | undefined;
      try {
        const schema = await migrated(pool);
        const { rows } = await pool.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        assert.deepEqual(rows, [{ ssl: true }]);
        postgres = new PostgresStore({ pool: url, schema });
        await postgres.init();
        await claimsOnce(postgres);
      } finally {
        await postgres?.close();
        await pool.end();
      }
    });

    it('sslmode=verify-full to localhost (the DNS name in the certificate) works too', async () => {
      const url = verifyFull(pki().caFile, 'localhost');
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      let postgres: PostgresStore | undefined;
      try {
        postgres = new PostgresStore({ pool: url, schema: await migrated(pool) });
        await postgres.init();
        await claimsOnce(postgres);
      } finally {
        await postgres?.close();
        await pool.end();
      }
    });

    it('sslmode=verify-full with an unrelated CA as sslrootcert: a certificate error, at once', async () => {
      const postgres = new PostgresStore({ pool: verifyFull(pki().impostorCaFile) });
      try {
        await refused(postgres, UNTRUSTED);
      } finally {
        await postgres.close();
      }
    });

    it('sslmode=verify-full without sslrootcert (Node.js trusts only the public CAs): a certificate error', async () => {
      const postgres = new PostgresStore({ pool: `${address()}?sslmode=verify-full` });
      try {
        await refused(postgres, UNTRUSTED);
      } finally {
        await postgres.close();
      }
    });

    it('sslmode=verify-full to an address the certificate is not for (127.0.0.2): refused', async () => {
      const postgres = new PostgresStore({ pool: verifyFull(pki().caFile, '127.0.0.2') });
      try {
        await refused(postgres, WRONG_NAME);
      } finally {
        await postgres.close();
      }
    });

    it('a pool with ssl: { rejectUnauthorized: true, ca }: migrate, init() and a claim, over TLS', async () => {
      const pool = new pg.Pool({
        connectionString: address(),
        ssl: { rejectUnauthorized: true, ca: pki().ca },
        max: 4,
      });
      const postgres = new PostgresStore({ pool, schema: await migrated(pool) });
      try {
        await postgres.init();
        await claimsOnce(postgres);
        const { rows } = await pool.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        assert.deepEqual(rows, [{ ssl: true }]);
      } finally {
        await postgres.close();
        await pool.end();
      }
    });

    it('a pool with ssl: { rejectUnauthorized: true, ca: <unrelated CA> }: a certificate error', async () => {
      const pool = new pg.Pool({
        connectionString: address(),
        ssl: { rejectUnauthorized: true, ca: pki().impostorCa },
        connectionTimeoutMillis: 5000,
        max: 1,
      });
      const postgres = new PostgresStore({ pool });
      try {
        await refused(postgres, UNTRUSTED);
      } finally {
        await postgres.close();
        await pool.end();
      }
    });

    it('a pool with ssl: { rejectUnauthorized: true, ca } to an address the certificate is not for (127.0.0.2): refused', async () => {
      const pool = new pg.Pool({
        connectionString: address('127.0.0.2'),
        ssl: { rejectUnauthorized: true, ca: pki().ca },
        connectionTimeoutMillis: 5000,
        max: 1,
      });
      const postgres = new PostgresStore({ pool });
      try {
        await refused(postgres, WRONG_NAME);
      } finally {
        await postgres.close();
        await pool.end();
      }
    });

    it("uselibpqcompat=true&sslmode=require (libpq's meaning) accepts an untrusted certificate for another address: why the docs say verify-full", async () => {
      const client = new pg.Client({
        connectionString: `${address('127.0.0.2')}?uselibpqcompat=true&sslmode=require`,
        connectionTimeoutMillis: 5000,
      });
      try {
        await client.connect();
        const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        assert.deepEqual(rows, [{ ssl: true }], 'encrypted, but to a server nobody checked');
      } finally {
        await client.end();
      }
    });

    it('without TLS (sslmode=disable): the server refuses the connection', async () => {
      const postgres = new PostgresStore({ pool: `${address()}?sslmode=disable` });
      try {
        await assert.rejects(postgres.init(), { name: 'StoreError', message: /pg_hba\.conf.*no encryption/ });
      } finally {
        await postgres.close();
      }
    });
  });
});
