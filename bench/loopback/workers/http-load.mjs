// HTTP load generator in its own process: keeps N POSTs in flight over
// keep-alive connections (node:http Agent, cheaper per request than fetch)
// for a fixed time. One generator serves every variant of a scenario, so
// the client side is identical for all of them.
import http from 'node:http';
import workerLib from '../harness/worker.cjs';

const { serve, closedLoop, heapUsedAfterGc } = workerLib;
const agents = new Map();

function agentFor(port, concurrency) {
  const key = `${port}/${concurrency}`;
  if (!agents.has(key)) agents.set(key, new http.Agent({ keepAlive: true, maxSockets: concurrency }));
  return agents.get(key);
}

/** One POST; the first response of each run is parsed to prove the query succeeded. */
function poster({ port, path, body, headers, concurrency }) {
  const agent = agentFor(port, concurrency);
  const payload = Buffer.from(body);
  const requestHeaders = { 'content-type': 'application/json', accept: 'application/json', 'content-length': payload.length, ...headers };
  let verified = false;
  return (done) => {
    const request = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: requestHeaders }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) return done(new Error(`HTTP ${response.statusCode}: ${Buffer.concat(chunks)}`));
        if (!verified) {
          verified = true;
          const result = JSON.parse(Buffer.concat(chunks).toString());
          if (result.errors || !result.data) return done(new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`));
        }
        done();
      });
    });
    request.on('error', done);
    request.end(payload);
  };
}

serve({
  run: (target) => closedLoop(poster(target), { seconds: target.seconds, concurrency: target.concurrency }),
  snapshot: () => ({ heapBytes: heapUsedAfterGc() }),
});
