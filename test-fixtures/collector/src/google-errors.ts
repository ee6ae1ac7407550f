// Refusals in Google's error shape, as a Google API answers over HTTP:
// `{"error": {"code", "message", "status", "details": [ErrorInfo]}}` with
// Content-Type application/json (https://cloud.google.com/apis/design/errors,
// "HTTP mapping"; JSON is the default `$alt` of Google APIs,
// https://cloud.google.com/apis/docs/system-parameters). The messages and
// ErrorInfo reasons below are Google's own wording, as seen in public reports:
// - no credentials: "Request is missing required authentication credential. ..."
//   reason CREDENTIALS_MISSING, with a `WWW-Authenticate: Bearer` challenge (RFC 6750);
// - a bearer Google does not accept as an access token (an ID token, a foreign or
//   expired token): "Request had invalid authentication credentials. ..."
//   (GoogleCloudPlatform/cloud-logging-data-source-plugin#126 shows it with reason
//   ACCESS_TOKEN_TYPE_UNSUPPORTED; rohitaryal/imageFX-api#2 shows the JSON body);
// - a token without the method's OAuth scopes: 403 "Request had insufficient
//   authentication scopes." reason ACCESS_TOKEN_SCOPE_INSUFFICIENT;
// - a quota project the caller may not use: 403 reason USER_PROJECT_DENIED
//   (https://cloud.google.com/docs/quotas/set-quota-project: the principal needs
//   serviceusage.services.use on it);
// - a write to a project the caller has no permission on: 403 PERMISSION_DENIED
//   naming the permission (telemetry.traces.write / monitoring.timeSeries.create,
//   the permissions "Migrate collector to use OTLP exporters" lists).
import type { ServerResponse } from 'node:http';

export interface GoogleError {
  code: number;
  status: string;
  message: string;
  reason?: string;
}

const SEE = 'See https://developers.google.com/identity/sign-in/web/devconsole-project.';

export const credentialsMissing = (): GoogleError => ({
  code: 401,
  status: 'UNAUTHENTICATED',
  message: `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE}`,
  reason: 'CREDENTIALS_MISSING',
});

export const invalidCredentials = (reason?: 'ACCESS_TOKEN_TYPE_UNSUPPORTED' | 'ACCESS_TOKEN_EXPIRED'): GoogleError => ({
  code: 401,
  status: 'UNAUTHENTICATED',
  message: `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE}`,
  ...(reason ? { reason } : {}),
});

export const insufficientScopes = (): GoogleError => ({
  code: 403,
  status: 'PERMISSION_DENIED',
  message: 'Request had insufficient authentication scopes.',
  reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
});

export const userProjectDenied = (project: string): GoogleError => ({
  code: 403,
  status: 'PERMISSION_DENIED',
  message: `Caller does not have required permission to use project ${project}. Grant the caller the roles/serviceusage.serviceUsageConsumer role, or a custom role with the serviceusage.services.use permission, by visiting https://console.developers.google.com/iam-admin/iam/admin?project=${project} and then retry. Propagation of the new permission may take a few minutes.`,
  reason: 'USER_PROJECT_DENIED',
});

export const permissionDenied = (permission: string, project: string): GoogleError => ({
  code: 403,
  status: 'PERMISSION_DENIED',
  message: `Permission '${permission}' denied on resource 'projects/${project}' (or it may not exist).`,
  reason: 'IAM_PERMISSION_DENIED',
});

export const invalidArgument = (message: string): GoogleError => ({ code: 400, status: 'INVALID_ARGUMENT', message });

export const notFound = (path: string): GoogleError => ({ code: 404, status: 'NOT_FOUND', message: `The requested URL ${path} was not found on this server.` });

/** Writes the error as Google's JSON body. */
export function sendGoogleError(response: ServerResponse, error: GoogleError): void {
  const details = error.reason ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: error.reason, domain: 'googleapis.com', metadata: { service: 'telemetry.googleapis.com' } }] : [];
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  if (error.code === 401) headers['www-authenticate'] = 'Bearer realm="https://accounts.google.com/"';
  response.writeHead(error.code, headers).end(JSON.stringify({ error: { code: error.code, message: error.message, status: error.status, details } }));
}
