// google-auth-library is an optional peer, imported on first use so that
// neither loading this package nor the http exporter pays for it, and an app
// that passes its own `fetchIdToken` never needs it installed.
import type { GoogleAuthLike, IdTokenProvider } from './types.js';

function isIdTokenProvider(client: unknown): client is IdTokenProvider {
  return typeof (client as Partial<IdTokenProvider> | null)?.fetchIdToken === 'function';
}

/**
 * `(audience) => token` through Application Default Credentials. We call the
 * credential's `fetchIdToken` directly instead of `IdTokenClient`, whose cache
 * would hand back the same token when we refresh ahead of its own threshold.
 */
export function googleAuthFetcher(auth?: GoogleAuthLike): (audience: string) => Promise<string> {
  let provider: Promise<IdTokenProvider> | undefined;
  const resolveProvider = async (): Promise<IdTokenProvider> => {
    const googleAuth = auth ?? new (await import('google-auth-library')).GoogleAuth();
    const client = await googleAuth.getClient();
    if (!isIdTokenProvider(client)) {
      throw new Error('these credentials cannot mint ID tokens (use the metadata server, a service account key, or impersonation)');
    }
    return client;
  };
  return async (audience) => {
    const pending = (provider ??= resolveProvider());
    let resolved: IdTokenProvider;
    try {
      resolved = await pending;
    } catch (error) {
      // A failed discovery (library missing, no credentials yet) is retried next time, not cached.
      if (provider === pending) provider = undefined;
      throw error;
    }
    return resolved.fetchIdToken(audience);
  };
}
