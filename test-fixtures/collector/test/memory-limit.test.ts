// Issue 21, finding 4: the memory_limiter is first in the pipelines the OTLP
// receiver feeds and reads its limits from the environment service.yaml sets.
// Past its soft limit the collector refuses exports with a retryable status
// instead of growing until Cloud Run OOM-kills it (and every undecided trace).
// Shown by setting the limits below the collector's own baseline heap: every
// export is refused; with the deployed limits the same export is accepted.
import { expect, test } from 'vitest';
import { startSingleTier } from '../src/index.js';

const EXPORT = JSON.stringify({
  resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bff' } }] }, scopeSpans: [{ spans: [{ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', name: 'query', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }],
});

async function post(url: string): Promise<number> {
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: EXPORT });
  await response.text();
  return response.status;
}

test('with limits below its ~5 MiB heap every export is refused with a retryable status (503); with the deployed limits it is accepted', async () => {
  const starved = await startSingleTier({ env: { MEMORY_LIMIT_MIB: '4', MEMORY_SPIKE_LIMIT_MIB: '2' } });
  const deployed = await startSingleTier({ env: { MEMORY_LIMIT_MIB: '800', MEMORY_SPIKE_LIMIT_MIB: '160' } });
  try {
    // The limiter checks every second (check_interval): give it one check.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const refused = [await post(starved.otlpHttpUrl), await post(starved.otlpHttpUrl)];
    expect(refused).toEqual([503, 503]);
    expect(starved.process.logs()).toMatch(/[Mm]emory usage is above soft limit/);
    expect(await post(deployed.otlpHttpUrl)).toBe(200);
  } finally {
    await starved.stop();
    await deployed.stop();
  }
});
