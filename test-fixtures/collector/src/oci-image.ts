// The collector image as a container runtime sees it: an OCI image layout
// (index.json -> manifest -> config, https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
// read from disk, its layers unpacked into a root filesystem.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectorDir } from './binary.js';

/** The `config` object of an OCI image config (what a runtime starts the container with). */
export interface OciRunConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
}

export interface OciImage {
  /** The layout folder. */
  readonly layout: string;
  /** `sha256:…` of the manifest: the digest a registry serves the image under. */
  readonly digest: string;
  readonly os: string;
  readonly architecture: string;
  readonly config: OciRunConfig;
  /** Layer blobs in order (paths), with their media types. */
  readonly layers: { path: string; mediaType: string }[];
}

let located: string | undefined;

/** The image layout `collector/build.sh` built (fails at once with the command to run when it is missing). */
export function collectorImageLayout(): string {
  if (located) return located;
  try {
    const out = execFileSync('bash', [`${collectorDir}build.sh`, '--check', '--image'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    located = out.trim().split('\n').at(-1)!;
    return located;
  } catch {
    throw new Error('The collector image is not built for these configs. Run `bash collector/build.sh` (CI runs it before the tests).');
  }
}

const blob = (layout: string, digest: string): string => join(layout, 'blobs', ...digest.split(':'));

/** Reads index.json -> the linux/amd64 manifest -> its config, as a runtime resolves them. */
export function readOciImage(layout: string): OciImage {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string; platform?: { os: string; architecture: string } }[] };
  const entry = index.manifests.find((m) => !m.platform || (m.platform.os === 'linux' && m.platform.architecture === 'amd64'));
  if (!entry) throw new Error(`${layout}: no linux/amd64 manifest in index.json`);
  const manifest = JSON.parse(readFileSync(blob(layout, entry.digest), 'utf8')) as { config: { digest: string }; layers: { digest: string; mediaType: string }[] };
  const config = JSON.parse(readFileSync(blob(layout, manifest.config.digest), 'utf8')) as { os: string; architecture: string; config: OciRunConfig };
  return {
    layout,
    digest: entry.digest,
    os: config.os,
    architecture: config.architecture,
    config: config.config,
    layers: manifest.layers.map((layer) => ({ path: blob(layout, layer.digest), mediaType: layer.mediaType })),
  };
}

/** Unpacks the layers, in order, into a fresh folder: the container's root filesystem. */
export function unpackRootfs(image: OciImage, into = mkdtempSync(join(tmpdir(), 'tracehop-rootfs-'))): string {
  // The root of a container's filesystem is 0755 (mkdtemp makes 0700, which the image's non-root user could not enter).
  chmodSync(into, 0o755);
  for (const layer of image.layers) {
    if (!/tar(\+gzip)?$/.test(layer.mediaType)) throw new Error(`unsupported layer media type ${layer.mediaType}`);
    // --same-owner/-p: keep the modes and root ownership the layer records (we run as root, like a runtime).
    execFileSync('tar', ['-x', ...(layer.mediaType.endsWith('+gzip') ? ['-z'] : []), '-p', '--same-owner', '-f', layer.path, '-C', into]);
  }
  return into;
}
