import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { startExample } from '../helpers/example-process.js';

describe('examples/otel (the OpenTelemetry Node SDK, OTLP/HTTP)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('exports run spans and metrics to OTEL_EXPORTER_OTLP_ENDPOINT and serves /health', async function () {
    this.timeout(40_000);
    const paths: string[] = [];
    const bodies: string[] = [];
    const receiver = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      paths.push(request.url ?? '');
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const otlpPort = (receiver.address() as { port: number }).port;
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    probe.close();

    const example = startExample(['--import', 'tsx/esm', 'examples/otel/src/main.ts'], {
      PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      EXAMPLE_INTERVAL: '1s',
    });
    child = example.child;
    await example.until(
      () => bodies.some((b) => b.includes('run orders.export')) && bodies.some((b) => b.includes('tickwise.job.runs')),
      () => `nothing exported; received ${paths.join(', ')}`,
      30_000,
    );
    assert.ok(paths.includes('/v1/traces') && paths.includes('/v1/metrics'), paths.join(', '));
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.ok([200, 503].includes(health.status));
    assert.ok(['ok', 'degraded'].includes(((await health.json()) as { status: string }).status));
    assert.match(example.output, /"traceId":"[0-9a-f]{32}"/);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, example.output);
    receiver.close();
  });
});
