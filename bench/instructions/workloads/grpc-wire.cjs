// gRPC unary calls with no sockets, for the gRPC and end-to-end workloads:
// a real grpc-js Client over a channel whose calls hand their metadata (as
// HTTP/2 headers) and serialized message to a real server interceptor chain
// and a handler registered through Server#addService. Only http2 and the
// socket are replaced, by a "wire" that delivers each side's events on a
// later turn of the event loop, outside any caller context (an AsyncResource
// made before any call), as socket events arrive.
'use strict';
const { AsyncResource } = require('node:async_hooks');
const { setImmediate } = require('node:timers');

/** The address the client believes it calls (nothing listens there). */
const WIRE_TARGET = '127.0.0.1:50051';

/**
 * A client of `ClientConstructor` whose calls reach `implementation` (one
 * unary method, `methodPath`) through both interceptor chains over the wire.
 */
function createWire({ grpc, ClientConstructor, service, implementation, methodPath, clientInterceptors = [], serverInterceptors = [] }) {
  const { ServerUnaryCallImpl, serverErrorToStatus } = require('@grpc/grpc-js/build/src/server-call');
  const server = new grpc.Server();
  server.addService(service, implementation);
  const handler = server.handlers.get(methodPath);
  const method = { path: handler.path, requestStream: false, responseStream: false, requestDeserialize: handler.deserialize, responseSerialize: handler.serialize };
  const wire = new AsyncResource('bench-wire');
  const deliver = (fn) => setImmediate(() => wire.runInAsyncScope(fn));

  class ServerWireCall {
    constructor(clientCall) {
      this.clientCall = clientCall;
      this.metadata = grpc.Metadata.fromHttp2Headers(clientCall.headers);
      this.reads = 0;
    }
    start(listener) {
      this.listener = listener;
      listener.onReceiveMetadata(this.metadata);
    }
    startRead() {
      const read = this.reads++;
      if (read === 0) deliver(() => this.listener.onReceiveMessage(handler.deserialize(this.clientCall.request)));
      else if (read === 1) deliver(() => this.listener.onReceiveHalfClose());
    }
    sendMetadata(metadata) {
      this.responseHeaders = metadata.toHttp2Headers();
    }
    sendMessage(message, callback) {
      this.response = handler.serialize(message);
      callback();
    }
    sendStatus(status) {
      const trailers = status.metadata?.toHttp2Headers();
      const listener = this.clientCall.listener;
      deliver(() => {
        listener.onReceiveMetadata(grpc.Metadata.fromHttp2Headers(this.responseHeaders ?? {}));
        if (this.response) listener.onReceiveMessage(this.response);
        listener.onReceiveStatus({ code: status.code, details: status.details, metadata: grpc.Metadata.fromHttp2Headers(trailers ?? {}) });
      });
    }
    getPeer() {
      return '127.0.0.1:40000';
    }
    getDeadline() {
      return Infinity;
    }
    getHost() {
      return WIRE_TARGET;
    }
    getAuthContext() {
      return {};
    }
    getConnectionInfo() {
      return { localAddress: '127.0.0.1', localPort: 50051, remoteAddress: '127.0.0.1', remotePort: 40000 };
    }
    getMetricsRecorder() {
      return { reportQpsInternal() {} };
    }
  }

  // grpc-js's handleUnary (server.js), the part a successful unary call runs.
  function handleUnary(call) {
    const respond = (error, value, trailer) => {
      if (error) return call.sendStatus(serverErrorToStatus(error, trailer));
      call.sendMessage(value, () => call.sendStatus({ code: grpc.status.OK, details: 'OK', metadata: trailer ?? null }));
    };
    let requestMetadata;
    let requestMessage = null;
    call.start({
      onReceiveMetadata(metadata) {
        requestMetadata = metadata;
        call.startRead();
      },
      onReceiveMessage(message) {
        requestMessage = message;
        call.startRead();
      },
      onReceiveHalfClose() {
        handler.func(new ServerUnaryCallImpl(handler.path, call, requestMetadata, requestMessage), respond);
      },
      onCancel() {},
    });
  }

  class ClientWireCall {
    start(metadata, listener) {
      this.listener = listener;
      this.headers = metadata.toHttp2Headers();
    }
    sendMessageWithContext(context, message) {
      this.request = message;
      context.callback?.();
    }
    halfClose() {
      deliver(() => handleUnary(serverInterceptors.reduce((next, interceptor) => interceptor(method, next), new ServerWireCall(this))));
    }
    startRead() {}
    cancelWithStatus() {}
    getPeer() {
      return WIRE_TARGET;
    }
    setCredentials() {}
    getCallNumber() {
      return 0;
    }
  }
  const channel = {
    createCall: () => new ClientWireCall(),
    getTarget: () => `dns:${WIRE_TARGET}`,
    getConnectivityState: () => grpc.connectivityState.READY,
    watchConnectivityState() {},
    close() {},
  };
  return new ClientConstructor(WIRE_TARGET, grpc.credentials.createInsecure(), { channelOverride: channel, interceptors: clientInterceptors });
}

module.exports = { createWire, WIRE_TARGET };
