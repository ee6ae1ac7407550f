// Cloud Monitoring alert policies as code (collector/alerts/*.json): reading the
// files, and checking that each is an AlertPolicy the Monitoring API would parse.
// The shape check walks the JSON against googleapis' own descriptor
// (google/monitoring/v3/alert.proto and common.proto, from google-proto-files):
// every key must be a field of the message it sits in (proto3 JSON names,
// lowerCamelCase), every enum value a value of its enum, every Duration the
// proto3 JSON form ("60s"). A misspelled field fails here instead of being
// ignored. What the API checks beyond the shape (comparison GT or LT only,
// durations in whole minutes, alignment periods of at least 60 s) is in
// alert-evaluate.ts, which refuses what it cannot evaluate faithfully.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { collectorDir } from './binary.js';

/** `google.monitoring.v3.Aggregation`, in its JSON form. */
export interface Aggregation {
  alignmentPeriod: string;
  perSeriesAligner?: string;
  crossSeriesReducer?: string;
  groupByFields?: string[];
}

/** `AlertPolicy.Condition.MetricThreshold`. */
export interface MetricThreshold {
  filter: string;
  aggregations?: Aggregation[];
  denominatorFilter?: string;
  denominatorAggregations?: Aggregation[];
  comparison: 'COMPARISON_GT' | 'COMPARISON_LT';
  thresholdValue?: number;
  duration: string;
  trigger?: { count?: number; percent?: number };
  evaluationMissingData?: string;
}

/** `AlertPolicy.Condition.MetricAbsence`. */
export interface MetricAbsence {
  filter: string;
  aggregations?: Aggregation[];
  duration: string;
  trigger?: { count?: number; percent?: number };
}

export interface AlertCondition {
  displayName: string;
  conditionThreshold?: MetricThreshold;
  conditionAbsent?: MetricAbsence;
}

/** The parts of `google.monitoring.v3.AlertPolicy` the policies here use. */
export interface AlertPolicy {
  displayName: string;
  documentation: { content: string; mimeType: string; subject?: string };
  userLabels?: Record<string, string>;
  conditions: AlertCondition[];
  combiner: 'OR' | 'AND';
  severity?: string;
  alertStrategy?: Record<string, unknown>;
}

/** The directory of the policies: collector/alerts. */
export const alertsDir = join(collectorDir, 'alerts');

/** Every policy file in collector/alerts, by file name (e.g. `export-failing.json`). */
export function readAlertPolicies(dir = alertsDir): Map<string, AlertPolicy> {
  const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  return new Map(files.map((name) => [name, readAlertPolicy(join(dir, name))]));
}

/** One policy file; throws when it is not an AlertPolicy in shape. */
export function readAlertPolicy(path: string): AlertPolicy {
  const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const problems = policyShapeProblems(json);
  if (problems.length > 0) throw new Error(`${path} is not a google.monitoring.v3.AlertPolicy:\n  ${problems.join('\n  ')}`);
  return json as AlertPolicy;
}

let alertPolicyType: protobuf.Type | undefined;
function policyType(): protobuf.Type {
  if (alertPolicyType) return alertPolicyType;
  const protos = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protos, target);
  root.loadSync('google/monitoring/v3/alert.proto', { keepCase: false });
  root.resolveAll();
  return (alertPolicyType = root.lookupType('google.monitoring.v3.AlertPolicy'));
}

const DURATION = /^-?\d+(\.\d{1,9})?s$/;
// Well-known types with a proto3 JSON form of their own.
const SCALAR_WRAPPERS = new Set(['google.protobuf.BoolValue', 'google.protobuf.StringValue', 'google.protobuf.Int64Value', 'google.protobuf.DoubleValue']);

/** Why `json` is not an AlertPolicy (unknown keys, wrong types, unknown enum values); empty when it is. */
export function policyShapeProblems(json: unknown): string[] {
  const problems: string[] = [];
  checkMessage(policyType(), json, 'AlertPolicy', problems);
  return problems;
}

function checkMessage(type: protobuf.Type, value: unknown, path: string, problems: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${path}: an object expected`);
  const byJsonName = new Map(type.fieldsArray.map((field) => [field.name, field]));
  for (const [key, item] of Object.entries(value)) {
    const field = byJsonName.get(key);
    if (!field) {
      problems.push(`${path}.${key}: no such field in ${type.fullName.slice(1)}`);
      continue;
    }
    const at = `${path}.${key}`;
    if (field.map) {
      if (item === null || typeof item !== 'object') problems.push(`${at}: a map expected`);
      else for (const [k, v] of Object.entries(item)) checkValue(field, v, `${at}.${k}`, problems);
    } else if (field.repeated) {
      if (!Array.isArray(item)) problems.push(`${at}: a list expected`);
      else item.forEach((element, i) => checkValue(field, element, `${at}[${i}]`, problems));
    } else checkValue(field, item, at, problems);
  }
}

function checkValue(field: protobuf.Field, value: unknown, path: string, problems: string[]): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (typeof value !== 'string' || !(value in resolved.values)) problems.push(`${path}: ${JSON.stringify(value)} is not a value of ${resolved.name}`);
  } else if (resolved instanceof protobuf.Type) {
    const name = resolved.fullName.slice(1);
    if (name === 'google.protobuf.Duration') {
      if (typeof value !== 'string' || !DURATION.test(value)) problems.push(`${path}: a Duration string such as "60s" expected`);
    } else if (SCALAR_WRAPPERS.has(name)) {
      if (value !== null && typeof value === 'object') problems.push(`${path}: a plain value expected (${name})`);
    } else checkMessage(resolved, value, path, problems);
  } else if (field.type === 'string') {
    if (typeof value !== 'string') problems.push(`${path}: a string expected`);
  } else if (field.type === 'bool') {
    if (typeof value !== 'boolean') problems.push(`${path}: a boolean expected`);
  } else if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+$/.test(value))) {
    problems.push(`${path}: a number expected (${field.type})`);
  }
}
