// A TCP proxy in the test process, between a client and a real server, that can cut, partition or
// slow the link on command, so fault tests need neither root nor iptables.
//
// What the client sees:
// - blip(ms): every open connection is reset (RST on both sides), and for `ms` new connections are
//   accepted and reset at once: a flapping link, or a server that crashed and is coming back.
// - blackhole(): a partition. Sockets stay open and nothing is closed, but nothing is forwarded
//   either way: the client's writes succeed locally and no reply ever comes, so only the client's
//   own timeouts notice. Chunks that were waiting in delay() are lost. New connections are accepted
//   (this machine's kernel completes the handshake, where a real partition would leave the SYN
//   unanswered) and never reach the server. TCP keepalive cannot notice either: the kernel here
//   answers the probes.
// - heal(): the black-holed connections are reset, never resumed, so bytes written during the
//   partition are never delivered. That is a partition long enough for TCP to give up; a short
//   real one could still deliver them late through retransmission, which this proxy does not model.
//   Clients reconnect, and the proxy passes traffic again with no delay and no refusal.
// - delay(ms): every chunk waits `ms` in each direction, in order, so a round trip takes 2 × ms
//   longer. A close is passed on behind the chunks still waiting.

import { createServer, type Socket, connect as tcpConnect } from 'node:net';

export interface FaultProxyOptions {
  targetPort: number;
  /** Default 127.0.0.1. */
  targetHost?: string;
}

export interface FaultProxy {
  /** The port on 127.0.0.1 that clients use instead of the target's. */
  readonly port: number;
  /** Client connections open now, black-holed ones included. */
  readonly connections: number;
  /** Resets every connection and refuses (resets) new ones for `ms`; resolves when they pass again. */
  blip(ms: number): Promise<void>;
  /** Stops forwarding both ways without closing anything, until heal(). */
  blackhole(): void;
  /** Holds every chunk `ms` in each direction from now on (0: no delay). */
  delay(ms: number): void;
  /** Resets the black-holed connections and passes traffic again, with no delay. */
  heal(): void;
  /** Resets every connection and stops listening. The same promise on every call. */
  close(): Promise<void>;
}

/** One direction of one connection: chunks leave in arrival order, each `delay()` ms after it came. */
class Lane {
  // No backpressure: test traffic is small, and a delayed chunk has to be held in memory anyway.
  private readonly queue: { due: number; chunk: Buffer | null }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly to: Socket,
    private readonly delay: () => number,
  ) {}

  /** A chunk to pass on, or null: the source closed, so close `to` once the earlier chunks are out. */
  push(chunk: Buffer | null): void {
    const now = Date.now();
    const due = Math.max(now + this.delay(), this.queue.at(-1)?.due ?? now);
    if (due <= now && this.queue.length === 0) {
      this.deliver(chunk);
      return;
    }
    this.queue.push({ due, chunk });
    // The timer, when set, is for the head, which is due no later than this chunk.
    this.timer ??= setTimeout(() => this.pump(), due - now);
  }

  clear(): void {
    this.queue.length = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    this.timer = undefined;
    const now = Date.now();
    for (let head = this.queue[0]; head && head.due <= now; head = this.queue[0]) {
      this.queue.shift();
      this.deliver(head.chunk);
    }
    const next = this.queue[0];
    if (next) this.timer = setTimeout(() => this.pump(), next.due - now);
  }

  private deliver(chunk: Buffer | null): void {
    if (this.to.destroyed) return;
    if (chunk) this.to.write(chunk);
    else this.to.destroySoon();
  }
}

interface Link {
  client: Socket;
  /** Absent when the client came during a black hole: it never reaches the server. */
  server?: Socket;
  lanes: Lane[];
  held: boolean;
}

function reset(socket: Socket | undefined): void {
  if (socket && !socket.destroyed) socket.resetAndDestroy();
}

/** Listens on a free port on 127.0.0.1 and forwards each connection to the target. */
export async function startFaultProxy({
  targetPort,
  targetHost = '127.0.0.1',
}: FaultProxyOptions): Promise<FaultProxy> {
  const links = new Set<Link>();
  let delayMs = 0;
  let blackholed = false;
  let refuseUntil = 0;
  let closing: Promise<void> | undefined;

  const drop = (link: Link) => {
    for (const lane of link.lanes) lane.clear();
    reset(link.client);
    reset(link.server);
    links.delete(link);
  };
  const hold = (link: Link) => {
    link.held = true;
    for (const lane of link.lanes) lane.clear();
    link.client.pause();
    link.server?.pause();
  };

  /** Passes what `from` sends into `lane`, and its close behind it; a black hole passes neither. */
  const wire = (link: Link, from: Socket, lane: Lane) => {
    from.on('data', (chunk: Buffer) => {
      if (!link.held) lane.push(chunk);
    });
    from.on('error', () => {}); // followed by 'close' with hadError, handled there
    from.on('close', (hadError) => {
      if (link.held) return; // a partition carries no FIN either: heal() resets what is left
      if (hadError) drop(link);
      else lane.push(null);
      if (link.client.destroyed && (link.server === undefined || link.server.destroyed)) links.delete(link);
    });
  };

  const listener = createServer((client) => {
    client.on('error', () => {});
    if (Date.now() < refuseUntil) {
      reset(client);
      return;
    }
    if (blackholed) {
      client.pause();
      links.add({ client, lanes: [], held: true });
      return;
    }
    const server = tcpConnect(targetPort, targetHost);
    const link: Link = { client, server, lanes: [], held: false };
    const toServer = new Lane(server, () => delayMs);
    const toClient = new Lane(client, () => delayMs);
    link.lanes.push(toServer, toClient);
    links.add(link);
    wire(link, client, toServer);
    wire(link, server, toClient); // a refused target closes with an error: the client is reset
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve());
  });
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address');

  return {
    port: address.port,
    get connections() {
      return [...links].filter((link) => !link.client.destroyed).length;
    },
    blip(ms) {
      refuseUntil = Math.max(refuseUntil, Date.now() + ms);
      for (const link of links) drop(link);
      return new Promise((resolve) => setTimeout(resolve, Math.max(0, refuseUntil - Date.now())));
    },
    blackhole() {
      blackholed = true;
      for (const link of links) hold(link);
    },
    delay(ms) {
      delayMs = ms;
    },
    heal() {
      blackholed = false;
      delayMs = 0;
      refuseUntil = 0;
      for (const link of links) if (link.held) drop(link);
    },
    close() {
      closing ??= new Promise((resolve) => {
        for (const link of links) drop(link);
        listener.close(() => resolve());
      });
      return closing;
    },
  };
}
