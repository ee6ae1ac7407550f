// A Cloud Run service definition (collector/deploy/service.yaml) run the way
// Cloud Run runs it, on loopback: the image from its own OCI config (entrypoint,
// arguments, env, user; the service's args/env over them, PORT = the container
// port), chrooted into its unpacked layers, behind the emulated front end with
// the service's probes (startup until it passes, then liveness; a container
// failing one is killed and started again).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { startCloudRunFrontEnd, type CloudRunFrontEnd, type CloudRunProbe, type Issuer } from '@tracehop/fixture-gcp-fakes';
import { load } from 'js-yaml';
import { readOciImage, unpackRootfs, type OciImage } from './oci-image.js';

/** The parts of a Knative-style Cloud Run service YAML that decide how the container runs. */
export interface ServiceSpec {
  name: string;
  serviceAnnotations: Record<string, string>;
  templateAnnotations: Record<string, string>;
  serviceAccountName: string;
  image: string;
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  containerPort: number;
  /** `http1` or `h2c` (end-to-end HTTP/2). */
  portName: string;
  limits: Record<string, string>;
  startupProbe?: CloudRunProbe;
  livenessProbe?: CloudRunProbe;
}

interface KnativeService {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    template: {
      metadata?: { annotations?: Record<string, string> };
      spec: {
        serviceAccountName: string;
        containers: Array<{
          image: string;
          command?: string[];
          args?: string[];
          env?: Array<{ name: string; value: string }>;
          ports?: Array<{ name?: string; containerPort: number }>;
          resources?: { limits?: Record<string, string> };
          startupProbe?: CloudRunProbe;
          livenessProbe?: CloudRunProbe;
        }>;
      };
    };
  };
}

/** Parses a service YAML (its text); `substitutions` replace placeholders first, as deploy.sh does. */
export function parseServiceYaml(text: string, substitutions: Record<string, string> = {}): ServiceSpec {
  let rendered = text;
  for (const [placeholder, value] of Object.entries(substitutions)) rendered = rendered.replaceAll(placeholder, value);
  const service = load(rendered) as KnativeService;
  const containers = service.spec.template.spec.containers;
  if (containers.length !== 1) throw new Error('one container (the ingress container) expected');
  const container = containers[0]!;
  // Cloud Run's default port when none is set is 8080 (https://cloud.google.com/run/docs/container-contract#port).
  const port = container.ports?.[0];
  return {
    name: service.metadata.name,
    serviceAnnotations: service.metadata.annotations ?? {},
    templateAnnotations: service.spec.template.metadata?.annotations ?? {},
    serviceAccountName: service.spec.template.spec.serviceAccountName,
    image: container.image,
    ...(container.command ? { command: container.command } : {}),
    ...(container.args ? { args: container.args } : {}),
    env: Object.fromEntries((container.env ?? []).map(({ name, value }) => [name, String(value)])),
    containerPort: port?.containerPort ?? 8080,
    portName: port?.name ?? 'http1',
    limits: container.resources?.limits ?? {},
    ...(container.startupProbe ? { startupProbe: container.startupProbe } : {}),
    ...(container.livenessProbe ? { livenessProbe: container.livenessProbe } : {}),
  };
}

/** Options for {@link runCloudRunService}. */
export interface RunServiceOptions {
  spec: ServiceSpec;
  /** The image the spec names, as an OCI layout (the test checks the digests match). */
  layout: string;
  /** Google's signing keys, for the front end's IAM check. */
  issuer: Issuer;
  /** roles/run.invoker members (emails). */
  invokers: string[];
  /**
   * What a loopback run must add to the service's env, and nothing else: where
   * Google's metadata server and APIs are, and `LISTEN_ADDRESS=127.0.0.1`
   * (collector binaries listen on loopback only here).
   */
  platformEnv: Record<string, string>;
  /** The container port on this machine (a free port; Cloud Run's is the spec's). @default spec.containerPort */
  port?: number;
  /**
   * Other container ports the probes use, mapped to free loopback ports (with
   * the config's variable for them in `platformEnv`, e.g. HEALTH_PORT).
   * @default {}
   */
  portMap?: Record<number, number>;
  /** Milliseconds per probe second. @default 1000 */
  secondMs?: number;
}

export interface RunningService {
  readonly image: OciImage;
  /** `chroot` as the image's user (root runs this), else the image's files run in place as the current user. */
  readonly isolation: 'chroot' | 'rootfs-paths';
  readonly frontEnd: CloudRunFrontEnd;
  /** Everything the container wrote (all runs). */
  logs(): string;
  /** How many times the container was started (1 + restarts after failed probes). */
  starts(): number;
  /** The container's process (the current run). */
  process(): ChildProcess;
  stop(): Promise<void>;
}

export async function runCloudRunService(options: RunServiceOptions): Promise<RunningService> {
  const { spec } = options;
  const image = readOciImage(options.layout);
  const config = image.config;
  if ((config.WorkingDir ?? '/') !== '/') throw new Error(`working directory ${config.WorkingDir}: only / is supported (chroot starts there)`);
  const rootfs = unpackRootfs(image);
  const port = options.port ?? spec.containerPort;
  // Kubernetes/Cloud Run semantics: `command` replaces the entrypoint, `args` the image's Cmd;
  // the service's env is laid over the image's; Cloud Run sets PORT
  // (https://cloud.google.com/run/docs/container-contract#env-vars).
  const argv = [...(spec.command ?? config.Entrypoint ?? []), ...(spec.args ?? config.Cmd ?? [])];
  const imageEnv = Object.fromEntries((config.Env ?? []).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  const env = { ...imageEnv, ...spec.env, PORT: String(port), ...options.platformEnv };
  const user = config.User ?? '0:0';
  // chroot needs root (CI is). Anyone else runs the image's own files without it: its
  // absolute paths rewritten into the unpacked rootfs, as the current user (`isolation` says which).
  const isolation: 'chroot' | 'rootfs-paths' = process.getuid?.() === 0 ? 'chroot' : 'rootfs-paths';
  const inRootfs = (arg: string) => arg.replace(/(^|=)(\/(?:usr|etc)\/[^\s]*)/, (_, lead: string, path: string) => `${lead}${rootfs}${path}`);
  let output = '';
  let starts = 0;
  let child: ChildProcess;
  let exited: Promise<void>;
  const start = () => {
    starts++;
    // The host's chroot (the container's PATH is the image's, which has none).
    child =
      isolation === 'chroot'
        ? spawn(chrootPath(), [`--userspec=${user}`, rootfs, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(inRootfs(argv[0]!), argv.slice(1).map(inRootfs), { env, cwd: rootfs, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  start();
  let restarting = false;
  const frontEnd = await startCloudRunFrontEnd({
    issuer: options.issuer,
    containerPort: port,
    service: spec.name,
    invokers: options.invokers,
    http2: spec.portName === 'h2c',
    // Probe ports are the container's ports: the spec's container port maps to the loopback one.
    probes: {
      ...(spec.startupProbe ? { startup: onLoopback(spec.startupProbe, { ...options.portMap, [spec.containerPort]: port }) } : {}),
      ...(spec.livenessProbe ? { liveness: onLoopback(spec.livenessProbe, { ...options.portMap, [spec.containerPort]: port }) } : {}),
    },
    secondMs: options.secondMs ?? 1000,
    onUnhealthy: () => {
      if (restarting) return;
      restarting = true;
      void kill().then(() => {
        start();
        restarting = false;
        frontEnd.restartInstance();
      });
    },
  });
  return {
    image,
    isolation,
    frontEnd,
    logs: () => output,
    starts: () => starts,
    process: () => child,
    async stop() {
      await frontEnd.close();
      // Cloud Run stops an instance with SIGTERM, then SIGKILL after 10 s (container contract, "Instance shutdown").
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(rootfs, { recursive: true, force: true });
    },
  };
}

function chrootPath(): string {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'];
  const found = dirs.map((dir) => `${dir}/chroot`).find((path) => existsSync(path));
  if (!found) throw new Error('chroot (coreutils) not found: running the image needs it, as root');
  return found;
}

function onLoopback(probe: CloudRunProbe, ports: Record<number, number>): CloudRunProbe {
  // An unset probe port stays unset: the front end probes the container port then.
  const map = (p: number | undefined) => (p === undefined ? undefined : (ports[p] ?? p));
  return {
    ...probe,
    ...(probe.httpGet ? { httpGet: { ...probe.httpGet, ...(map(probe.httpGet.port) === undefined ? {} : { port: map(probe.httpGet.port) }) } } : {}),
    ...(probe.tcpSocket ? { tcpSocket: map(probe.tcpSocket.port) === undefined ? {} : { port: map(probe.tcpSocket.port) } } : {}),
  };
}

/** Reads a service YAML file. */
export function readServiceYaml(path: string, substitutions: Record<string, string> = {}): ServiceSpec {
  return parseServiceYaml(readFileSync(path, 'utf8'), substitutions);
}
