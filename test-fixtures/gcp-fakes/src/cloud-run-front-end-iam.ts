// The Cloud Run Invoker IAM check, as Google documents it and as deployments
// observe it, decided for one request's headers. Every rule cites its source.
import type { Issuer } from './issuer.js';

/** Which header carried the credential Cloud Run checked. */
export type CredentialHeader = 'authorization' | 'x-serverless-authorization';

/** The front end's verdict on one request. */
export type IamDecision =
  | { allowed: true; reason: string; email?: string; header?: CredentialHeader }
  | { allowed: false; status: 401 | 403; reason: string; email?: string; header?: CredentialHeader };

/** What the check needs to know about the service. */
export interface IamPolicy {
  /** Google's keys: the loopback stand-in for accounts.google.com. */
  issuer: Issuer;
  /** Accepted `aud` values: the service's run.app URLs and its custom audiences. */
  audiences: readonly string[];
  /** `email`s holding roles/run.invoker on the service (its IAM policy). */
  invokers: ReadonlySet<string>;
  /** false = `--no-invoker-iam-check`. */
  invokerIamCheck: boolean;
}

export const SIGNATURE_REMOVED = 'SIGNATURE_REMOVED_BY_GOOGLE';

/**
 * The header Cloud Run authenticates with: `X-Serverless-Authorization` when the
 * caller sends it, else `Authorization`. "If X-Serverless-Authorization and
 * Authorization are both present, cloud run will use X-Serverless-Authorization"
 * (GoogleCloudPlatform/cloud-run-proxy#25, confirmed there by the Cloud Run PM
 * with https://cloud.google.com/run/docs/authenticating/service-to-service#acquire-token;
 * pomerium/pomerium#6268: "Cloud Run uses it for IAM and passes Authorization
 * through to the container untouched").
 */
export function credentialHeader(headers: Record<string, string | string[] | undefined>): CredentialHeader | undefined {
  if (headers['x-serverless-authorization'] !== undefined) return 'x-serverless-authorization';
  if (headers.authorization !== undefined) return 'authorization';
  return undefined;
}

/**
 * Decides one request. Sources, in order of the checks:
 * - `--no-invoker-iam-check`: "anyone can call the service without credentials"
 *   (https://cloud.google.com/run/docs/authenticating/public#invoker_check); the
 *   front end then checks nothing and touches no header.
 * - no credential: 403 "Your client does not have permission to get URL"
 *   (https://cloud.google.com/run/docs/troubleshooting, 403 Forbidden: the
 *   request carries no valid auth token; observed: a request without
 *   Authorization to a private service gets 403).
 * - a token Google did not sign for this service (bad signature, expired, another
 *   audience, not an ID token): 401 "Your client does not have permission to the
 *   requested URL", logged as "The request was not authorized to invoke this
 *   service. The access token could not be verified." (troubleshooting, 401
 *   Unauthorized: audience must be the run.app URL or a custom audience,
 *   https://cloud.google.com/run/docs/configuring/custom-audiences).
 * - a valid token whose principal holds no roles/run.invoker: 403
 *   (https://cloud.google.com/run/docs/securing/managing-access: only principals
 *   with run.routes.invoke may call a private service).
 */
export function decide(headers: Record<string, string | string[] | undefined>, policy: IamPolicy, nowSeconds = Math.floor(Date.now() / 1000)): IamDecision {
  if (!policy.invokerIamCheck) return { allowed: true, reason: 'invoker IAM check disabled (--no-invoker-iam-check)' };
  const header = credentialHeader(headers);
  const raw = header === undefined ? undefined : headers[header];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (header === undefined || value === undefined || !/^Bearer\s+\S+$/i.test(value.trim())) {
    return { allowed: false, status: 403, reason: 'no bearer token', ...(header ? { header } : {}) };
  }
  const token = value.trim().replace(/^Bearer\s+/i, '');
  const verified = policy.issuer.verify(token, { nowSeconds });
  if (!verified.ok) return { allowed: false, status: 401, reason: `token not verified: ${verified.reason}`, header };
  const { aud, email } = verified.claims;
  // Google's sample gives the audience with a trailing slash ("https://my-cloud-run-service.run.app/",
  // https://cloud.google.com/run/docs/samples/cloudrun-service-to-service-auth): both spellings pass.
  const audience = typeof aud === 'string' ? aud.replace(/\/$/, '') : undefined;
  if (audience === undefined || !policy.audiences.some((accepted) => accepted.replace(/\/$/, '') === audience)) {
    return { allowed: false, status: 401, reason: `token not verified: audience ${String(aud)} is not this service`, header, ...(email ? { email } : {}) };
  }
  if (typeof email !== 'string' || !policy.invokers.has(email)) {
    return { allowed: false, status: 403, reason: `${String(email)} has no roles/run.invoker on this service`, header, ...(typeof email === 'string' ? { email } : {}) };
  }
  return { allowed: true, reason: `${email} holds roles/run.invoker`, header, email };
}

/**
 * The token as the container sees it: header and payload kept, the signature
 * replaced, so the claims can be read but the token neither verified nor
 * replayed (https://cloud.google.com/run/docs/troubleshooting#signature-removed;
 * the service-to-service page: "Cloud Run removes the token signature before
 * passing the token to the user container").
 */
export function withSignatureRemoved(value: string): string {
  const token = value.trim().replace(/^Bearer\s+/i, '');
  const [header, payload] = token.split('.');
  return `Bearer ${header}.${payload}.${SIGNATURE_REMOVED}`;
}

/** The error page Google's front end answers with (HTML, not a JSON API error). */
export function errorPage(status: 401 | 403, path: string): string {
  const title = status === 401 ? 'Unauthorized' : 'Forbidden';
  const escaped = path.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const message =
    status === 401
      ? `Your client does not have permission to the requested URL <code>${escaped}</code>.`
      : `Your client does not have permission to get URL <code>${escaped}</code> from this server.`;
  return `<html><head>\n<meta http-equiv="content-type" content="text/html;charset=utf-8">\n<title>${status} ${title}</title>\n</head>\n<body text=#000000 bgcolor=#ffffff>\n<h1>Error: ${title}</h1>\n<h2>${message}</h2>\n<h2></h2>\n</body></html>\n`;
}
