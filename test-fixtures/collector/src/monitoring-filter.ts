// Cloud Monitoring filter strings (the `totalServiceFilter`, `badServiceFilter`,
// `distributionFilter` of an SLO) evaluated against the time series a loopback
// API received, so the filters the README documents are checked against what
// arrived rather than by eye. The subset of the syntax
// (https://cloud.google.com/monitoring/api/v3/filters): comparisons joined by
// whitespace or AND, each `<selector> = "<value>"` or `!=`, selectors
// `metric.type`, `resource.type`, `project`, `metric.labels.<key>` and
// `resource.labels.<key>` (`label` or `labels`; a key with dots quoted, as in
// `resource.label."container_name"` of gist.github.com/yuriatgoogle/fcf29d7a101091182d68cbda371383c7).
// Anything else throws: a filter this reader cannot parse fails the test that
// checks it instead of matching nothing.

/** The identity of a time series: its metric and monitored resource. */
export interface SeriesIdentity {
  metric: { type: string; labels: Record<string, string> };
  resource: { type: string; labels: Record<string, string> };
}

interface Comparison {
  selector: string;
  key?: string;
  negate: boolean;
  value: string;
}

const TOKEN = /\s*(?:(AND)\b|((?:metric|resource)\.labels?\.(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_]*)|metric\.type|resource\.type|project)\s*(!=|=)\s*"((?:[^"\\]|\\.)*)")/y;

/** Parses a filter into comparisons; throws on syntax outside the subset. */
export function parseFilter(filter: string): Comparison[] {
  const comparisons: Comparison[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < filter.length) {
    if (/^\s*$/.test(filter.slice(position))) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(filter);
    if (!match) throw new Error(`filter syntax not understood at ${JSON.stringify(filter.slice(position, position + 40))}`);
    position = TOKEN.lastIndex;
    if (match[1]) continue; // AND
    const [, , selector, operator, value] = match as unknown as [string, string, string, string, string];
    const labelMatch = /^(metric|resource)\.labels?\.(.+)$/.exec(selector);
    comparisons.push({
      selector: labelMatch ? `${labelMatch[1]}.labels` : selector,
      ...(labelMatch ? { key: labelMatch[2]!.replace(/^"|"$/g, '') } : {}),
      negate: operator === '!=',
      value: value.replace(/\\(.)/g, '$1'),
    });
  }
  if (comparisons.length === 0) throw new Error('empty filter');
  return comparisons;
}

/** Whether a series matches every comparison of the filter. */
export function matchesFilter(filter: string, series: SeriesIdentity): boolean {
  return parseFilter(filter).every((comparison) => {
    const actual = valueOf(comparison, series);
    return comparison.negate ? actual !== comparison.value : actual === comparison.value;
  });
}

function valueOf(comparison: Comparison, series: SeriesIdentity): string | undefined {
  switch (comparison.selector) {
    case 'metric.type':
      return series.metric.type;
    case 'resource.type':
      return series.resource.type;
    case 'project':
      return series.resource.labels['project_id'];
    case 'metric.labels':
      return series.metric.labels[comparison.key!];
    default:
      return series.resource.labels[comparison.key!];
  }
}
