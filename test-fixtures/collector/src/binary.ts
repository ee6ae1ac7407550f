// Where the collector binary is: collector/build.sh owns building and caching
// it; this module only asks the script (warm: well under a second).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's `collector/` folder. */
export const collectorDir = fileURLToPath(new URL('../../../collector/', import.meta.url));

/** `collector/config/<name>`. */
export function configPath(name: string): string {
  return `${collectorDir}config/${name}`;
}

/** Options for {@link collectorBinary}. */
export interface CollectorBinaryOptions {
  /**
   * Build the collector when it is not cached yet (several minutes cold). Tests
   * leave this off and fail at once with the command to run instead.
   * @default false
   */
  build?: boolean;
}

let located: string | undefined;

/**
 * Absolute path of the `otelcol` built from collector/manifest.yaml. Looked up
 * once per process: a test that later points HOME elsewhere (as the metadata
 * server fakes do) must not lose the cache under $HOME.
 */
export function collectorBinary(options: CollectorBinaryOptions = {}): string {
  located ??= locate(options);
  return located;
}

function locate(options: CollectorBinaryOptions): string {
  const args = [`${collectorDir}build.sh`, ...(options.build ? [] : ['--check'])];
  try {
    const out = execFileSync('bash', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return out.trim().split('\n').at(-1)!;
  } catch {
    throw new Error('The collector is not built. Run `bash collector/build.sh` (Go >= 1.24; CI runs it before the tests).');
  }
}
