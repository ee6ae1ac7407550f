// Free loopback ports for listeners a child process binds later (the collector
// needs the number in its config before it starts). The port is probed and
// released first, so another process could take it before the child binds —
// and the child binds only after its start-up, which takes seconds on a loaded
// machine. Ports the kernel hands out for `listen(0)` come from the ephemeral
// range, the same range every outgoing connection on the machine takes its local
// port from (Linux: net.ipv4.ip_local_port_range, 32768–60999 by default;
// https://www.kernel.org/doc/html/latest/networking/ip-sysctl.html), and a span
// flood opens many: CI once saw the collector's health port taken that way
// ("bind: address already in use"). So the ports come from just below that
// range, where no outgoing connection lands, and are never handed out twice by
// one process.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The span of ports below the ephemeral range that are drawn from. */
const SPAN = 12_000;
const handedOut = new Set<number>();

/** The lowest port of the kernel's ephemeral range (32768 where it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

const high = ephemeralLow() - 1;
const low = Math.max(1025, high - SPAN);

/** Whether `port` can be bound on 127.0.0.1 right now (probed and released). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1, below the ephemeral range, free a moment ago and not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`freePort: no free port found in ${low}-${high} after 200 attempts`);
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort());
  return ports;
}
