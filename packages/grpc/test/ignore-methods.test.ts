// ignoreMethods: health checks and reflection (the real grpc-health-check and
// @grpc/reflection services, on a real grpc-js server on 127.0.0.1:0) record
// no span on either side, and an ignored call still carries context.
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { context, diag, DiagLogLevel, propagation, SpanKind, trace } from '@opentelemetry/api';
import { echoProtoPath } from '@tracehop/fixture-proto';
import { HealthImplementation, service as healthService } from 'grpc-health-check';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createClientInterceptor, createServerInterceptor, type ClientInterceptorOptions } from '../src/index.js';
import { createTelemetry, echoService, Echo, observingHandlers, sayAsync, useAsyncContext, type Observation } from './harness.js';

useAsyncContext();
const telemetry = createTelemetry();
const warn = vi.fn();
const require = createRequire(import.meta.url);

// Health (grpc/grpc-node, gRFC L106) and reflection (grpc/grpc-node
// packages/grpc-reflection) name their methods grpc.health.v1.Health/Check,
// grpc.reflection.v1.ServerReflection/ServerReflectionInfo (and v1alpha).
const PROBES = ['grpc.health.v1.Health/*', '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', 'grpc.reflection.v1alpha.ServerReflection/*'];

interface ListServicesReply {
  list_services_response?: { service: Array<{ name: string }> };
}
type ClientConstructor<T> = new (...args: ConstructorParameters<typeof grpc.Client>) => T;
interface HealthClient extends grpc.Client {
  Check(request: { service: string }, callback: grpc.requestCallback<{ status: string }>): grpc.ClientUnaryCall;
  Watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>;
}
interface ReflectionClient extends grpc.Client {
  ServerReflectionInfo(): grpc.ClientDuplexStream<object, ListServicesReply>;
}

const Health = grpc.makeClientConstructor(healthService, 'Health') as unknown as ClientConstructor<HealthClient>;
const reflectionProto = protoLoader.loadSync(require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'), { keepCase: true });
const reflectionPackage = grpc.loadPackageDefinition(reflectionProto) as unknown as {
  grpc: { reflection: { v1: { ServerReflection: ClientConstructor<ReflectionClient> } } };
};
const ServerReflection = reflectionPackage.grpc.reflection.v1.ServerReflection;

const seen: Observation[] = [];
let server: grpc.Server;
let address: string;

beforeAll(async () => {
  diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
  server = new grpc.Server({ interceptors: [createServerInterceptor({ tracerProvider: telemetry.provider, ignoreMethods: PROBES })] });
  server.addService(echoService, observingHandlers(seen));
  new HealthImplementation({ '': 'SERVING', 'tracehop.fixture.Echo': 'SERVING' }).addToServer(server);
  new ReflectionService(protoLoader.loadSync(echoProtoPath)).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  address = `127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  diag.disable();
});
afterEach(() => {
  telemetry.exporter.reset();
  seen.length = 0;
  warn.mockClear();
});

function clientOptions(extra: ClientInterceptorOptions = {}): grpc.ClientOptions {
  return { interceptors: [createClientInterceptor({ tracerProvider: telemetry.provider, target: address, ignoreMethods: PROBES, ...extra })] };
}

function check(service: string): Promise<{ status: string }> {
  const client = new Health(address, grpc.credentials.createInsecure(), clientOptions());
  return new Promise((resolve, reject) =>
    client.Check({ service }, (error, reply) => {
      client.close();
      return error ? reject(error) : resolve(reply!);
    }),
  );
}

function listServices(): Promise<string[]> {
  const client = new ServerReflection(address, grpc.credentials.createInsecure(), clientOptions());
  const call = client.ServerReflectionInfo();
  return new Promise((resolve, reject) => {
    call.on('data', (reply: ListServicesReply) => {
      resolve(reply.list_services_response?.service.map((service) => service.name) ?? []);
      call.end();
    });
    call.on('error', reject);
    call.on('end', () => client.close());
    call.write({ list_services: '' });
  });
}

function watchOnce(service: string): Promise<string> {
  const client = new Health(address, grpc.credentials.createInsecure(), clientOptions());
  const call = client.Watch({ service });
  return new Promise((resolve, reject) => {
    call.on('data', (reply: { status: string }) => {
      resolve(reply.status);
      call.cancel();
    });
    call.on('error', (error: grpc.ServiceError) => (error.code === grpc.status.CANCELLED ? undefined : reject(error)));
    call.on('close', () => client.close());
  });
}

/** Lets the SimpleSpanProcessor flush what the server ended after the client saw its status. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the listed probes record no span, on either side', () => {
  test('a health Check (unary) answers and records nothing', async () => {
    expect(await check('tracehop.fixture.Echo')).toEqual({ status: 'SERVING' });
    await settle();
    expect(telemetry.spans()).toEqual([]);
  });

  test('a health Watch (server streaming) answers and records nothing', async () => {
    expect(await watchOnce('')).toBe('SERVING');
    await settle();
    expect(telemetry.spans()).toEqual([]);
  });

  test('reflection (bidi streaming) answers and records nothing', async () => {
    expect(await listServices()).toEqual(expect.arrayContaining(['tracehop.fixture.Echo']));
    await settle();
    expect(telemetry.spans()).toEqual([]);
  });

  test('a method not listed still records its CLIENT and SERVER spans', async () => {
    const client = new Echo(address, grpc.credentials.createInsecure(), clientOptions());
    await sayAsync(client, 'hello');
    client.close();
    await settle();
    expect(telemetry.spans().map((span) => [span.name, span.kind])).toEqual(
      expect.arrayContaining([
        ['tracehop.fixture.Echo/Say', SpanKind.CLIENT],
        ['tracehop.fixture.Echo/Say', SpanKind.SERVER],
      ]),
    );
  });
});

describe('an ignored call still carries context', () => {
  test('client and server both ignore Say: the handler runs in the caller trace, under the caller span, with its baggage', async () => {
    const ignoringServer = new grpc.Server({
      interceptors: [createServerInterceptor({ tracerProvider: telemetry.provider, ignoreMethods: ['tracehop.fixture.Echo/Say'] })],
    });
    ignoringServer.addService(echoService, observingHandlers(seen));
    const port = await new Promise<number>((resolve, reject) =>
      ignoringServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    const client = new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      interceptors: [createClientInterceptor({ tracerProvider: telemetry.provider, ignoreMethods: ['/tracehop.fixture.Echo/Say'] })],
    });

    const caller = telemetry.provider.getTracer('test').startSpan('resolver');
    const ctx = propagation.setBaggage(trace.setSpan(context.active(), caller), propagation.createBaggage({ 'tenant.id': { value: 't_a' } }));
    await context.with(ctx, () => sayAsync(client, 'hello'));
    caller.end();
    client.close();
    await new Promise<void>((resolve) => ignoringServer.tryShutdown(() => resolve()));

    expect(telemetry.spans().map((span) => span.name)).toEqual(['resolver']);
    for (const observation of seen) {
      expect(observation, observation.where).toMatchObject({
        traceId: caller.spanContext().traceId,
        spanId: caller.spanContext().spanId, // no span of ours in between: the caller's own
        baggage: { 'tenant.id': 't_a' },
      });
    }
    expect(seen.map((observation) => observation.where)).toEqual(['say:sync', 'say:after-await']);
  });
});

describe('a predicate', () => {
  test('is asked once per method with "package.Service/Method", and its answer is kept', async () => {
    const asked: string[] = [];
    const client = new Echo(address, grpc.credentials.createInsecure(), {
      interceptors: [
        createClientInterceptor({
          tracerProvider: telemetry.provider,
          ignoreMethods: (method) => {
            asked.push(method);
            return method.endsWith('/Say');
          },
        }),
      ],
    });
    for (let i = 0; i < 3; i++) await sayAsync(client, `call ${i}`);
    client.close();
    await settle();
    expect(asked).toEqual(['tracehop.fixture.Echo/Say']);
    // The server was not told to ignore Say: only its spans remain.
    expect(telemetry.spans().map((span) => span.kind)).toEqual([SpanKind.SERVER, SpanKind.SERVER, SpanKind.SERVER]);
  });

  test('that throws: the method records spans, the call succeeds, diag warns once for the method', async () => {
    const client = new Echo(address, grpc.credentials.createInsecure(), {
      interceptors: [
        createClientInterceptor({
          tracerProvider: telemetry.provider,
          ignoreMethods: () => {
            throw new Error('predicate broke');
          },
        }),
      ],
    });
    expect((await sayAsync(client, 'one')).value).toBe('one');
    expect((await sayAsync(client, 'two')).value).toBe('two');
    client.close();
    await settle();
    expect(telemetry.spans().filter((span) => span.kind === SpanKind.CLIENT)).toHaveLength(2);
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      'tracehop: the ignoreMethods predicate threw; the method records spans (predicate broke)',
    ]);
  });
});

describe('names are checked when the interceptor is created', () => {
  test.each([['Check'], ['grpc.health.v1.Health'], ['grpc.health.v1.Health/'], ['*'], ['a/b/c'], ['grpc.health.v1.Health/Ch*']])(
    '%s (not "package.Service/Method" or "package.Service/*") throws a TypeError',
    (name) => {
      const expected =
        'option "ignoreMethods" must be an array of "package.Service/Method" or "package.Service/*" names or a function (method) => boolean';
      expect(() => createServerInterceptor({ ignoreMethods: [name] })).toThrow(new TypeError(`createServerInterceptor: ${expected}, got array ${JSON.stringify([name])}`));
      expect(() => createClientInterceptor({ ignoreMethods: [name] })).toThrow(TypeError);
    },
  );

  test('an empty list ignores nothing', async () => {
    const client = new Echo(address, grpc.credentials.createInsecure(), clientOptions({ ignoreMethods: [] }));
    await sayAsync(client, 'hello');
    client.close();
    await settle();
    expect(telemetry.spans().filter((span) => span.kind === SpanKind.CLIENT)).toHaveLength(1);
  });
});
