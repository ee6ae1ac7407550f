// The environment google-auth-library 10/11 (gcp-metadata 8/9) reads, checked in
// their sources: GCE_METADATA_IP wins over GCE_METADATA_HOST (so both are set);
// METADATA_SERVER_DETECTION=assume-present skips the detection ping; ADC looks at
// GOOGLE_APPLICATION_CREDENTIALS, then CLOUDSDK_CONFIG or $HOME/.config/gcloud,
// before the metadata server, so those must point nowhere; the project ID comes
// from GOOGLE_CLOUD_PROJECT (GCLOUD_PROJECT first) before the metadata server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `undefined` means: delete the variable. */
export type EnvPatch = Record<string, string | undefined> & { HOME: string };

export function metadataEnv(host: string, projectId: string, home?: string): EnvPatch {
  return {
    GCE_METADATA_HOST: host,
    GCE_METADATA_IP: host,
    METADATA_SERVER_DETECTION: 'assume-present',
    GOOGLE_CLOUD_PROJECT: projectId,
    GCLOUD_PROJECT: projectId,
    GOOGLE_APPLICATION_CREDENTIALS: undefined,
    google_application_credentials: undefined,
    CLOUDSDK_CONFIG: undefined,
    GOOGLE_CLOUD_QUOTA_PROJECT: undefined,
    HOME: home ?? mkdtempSync(join(tmpdir(), 'tracehop-gcp-home-')),
  };
}

/** Applies a patch to `process.env` (or another env object); returns a function that restores the previous values. */
export function applyEnv(patch: Record<string, string | undefined>, env: NodeJS.ProcessEnv = process.env): () => void {
  const previous = Object.fromEntries(Object.keys(patch).map((key) => [key, env[key]]));
  const set = (values: Record<string, string | undefined>): void => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
  };
  set(patch);
  return () => set(previous);
}

/** The patch as a child-process env (a copy of `base` with the patch applied). */
export function childEnv(patch: Record<string, string | undefined>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  applyEnv(patch, env);
  return env;
}
