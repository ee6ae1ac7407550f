// Cloud Run's container health checks, run the way
// https://cloud.google.com/run/docs/configuring/healthchecks describes them:
// the startup probe runs first and no request reaches the instance until it
// succeeds; liveness checks start only after that; either one failing
// `failureThreshold` times in a row makes Cloud Run restart the container.
// Probes are Knative-shaped (`httpGet` / `tcpSocket`, the service YAML's form).
import { request } from 'node:http';
import { connect } from 'node:net';

/** One probe as written in a Cloud Run service YAML. */
export interface CloudRunProbe {
  httpGet?: { path?: string; port?: number };
  tcpSocket?: { port?: number };
  /** @default 0 */
  initialDelaySeconds?: number;
  /** @default 10 */
  periodSeconds?: number;
  /** @default 1 */
  timeoutSeconds?: number;
  /** @default 3 */
  failureThreshold?: number;
}

/** What a probe did, oldest first: the test's record of Cloud Run's view. */
export interface ProbeRecord {
  kind: 'startup' | 'liveness';
  target: string;
  ok: boolean;
  detail: string;
}

/**
 * The probe Cloud Run configures when the service sets none: TCP on the
 * container port, one attempt of up to 240 s ("The default TCP startup probe",
 * healthchecks page; what `gcloud run services describe --format export` shows).
 */
export const DEFAULT_STARTUP_PROBE: CloudRunProbe = { tcpSocket: {}, timeoutSeconds: 240, periodSeconds: 240, failureThreshold: 1 };

/**
 * One attempt: an HTTP GET succeeds on "any response between 200 and 400" (healthchecks
 * page, "Configure an HTTP startup probe"; HTTP/1 only), a TCP probe on connect.
 */
export function probeOnce(probe: CloudRunProbe, host: string, containerPort: number, timeoutMs: number): Promise<{ ok: boolean; target: string; detail: string }> {
  // An unset port means the container port: "If not specified, defaults to the exposed
  // port of the container, which is the value of container.ports[0].containerPort" (Cloud Run Admin API v2, HTTPGetAction.port).
  if (probe.httpGet) {
    const port = probe.httpGet.port ?? containerPort;
    const path = probe.httpGet.path ?? '/';
    const target = `GET http://${host}:${port}${path}`;
    return new Promise((resolve) => {
      const req = request({ host, port, path, timeout: timeoutMs }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 400, target, detail: `HTTP ${status}` });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => resolve({ ok: false, target, detail: error.message }));
      req.end();
    });
  }
  const port = probe.tcpSocket?.port ?? containerPort;
  const target = `TCP ${host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs }, () => {
      socket.destroy();
      resolve({ ok: true, target, detail: 'connected' });
    });
    socket.on('timeout', () => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)));
    socket.on('error', (error) => resolve({ ok: false, target, detail: error.message }));
  });
}

/**
 * Runs one probe until it succeeds once (startup) or until it fails
 * `failureThreshold` times in a row (startup: the instance never starts;
 * liveness: the container is restarted). `secondMs` scales Cloud Run's seconds
 * for tests (1000 = real time). Resolves with whether the probe passed; a
 * liveness probe only resolves on failure or when `signal` aborts.
 */
export async function runProbe(
  kind: 'startup' | 'liveness',
  probe: CloudRunProbe,
  target: { host: string; port: number },
  options: { secondMs: number; record: (entry: ProbeRecord) => void; signal: AbortSignal },
): Promise<boolean> {
  const { secondMs, record, signal } = options;
  const sleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * secondMs).unref());
  const period = probe.periodSeconds ?? 10;
  const threshold = probe.failureThreshold ?? 3;
  const timeoutMs = (probe.timeoutSeconds ?? 1) * secondMs;
  await sleep(probe.initialDelaySeconds ?? 0);
  let failures = 0;
  while (!signal.aborted) {
    const result = await probeOnce(probe, target.host, target.port, timeoutMs);
    if (signal.aborted) return false;
    record({ kind, ...result });
    if (result.ok) {
      failures = 0;
      if (kind === 'startup') return true;
    } else if (++failures >= threshold) {
      return false;
    }
    await sleep(period);
  }
  return false;
}
