import type * as grpc from '@grpc/grpc-js';

export declare const echoProtoPath: string;
export declare const echoServiceName: string;

export interface EchoMessage {
  value: string;
}

export interface EchoClient extends grpc.Client {
  say(request: EchoMessage, callback: grpc.requestCallback<EchoMessage>): grpc.ClientUnaryCall;
  say(request: EchoMessage, metadata: grpc.Metadata, callback: grpc.requestCallback<EchoMessage>): grpc.ClientUnaryCall;
  say(request: EchoMessage, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: grpc.requestCallback<EchoMessage>): grpc.ClientUnaryCall;
  Say: EchoClient['say'];
  stream(request: EchoMessage, metadata?: grpc.Metadata, options?: Partial<grpc.CallOptions>): grpc.ClientReadableStream<EchoMessage>;
  collect(callback: grpc.requestCallback<EchoMessage>): grpc.ClientWritableStream<EchoMessage>;
  collect(metadata: grpc.Metadata, callback: grpc.requestCallback<EchoMessage>): grpc.ClientWritableStream<EchoMessage>;
  collect(metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: grpc.requestCallback<EchoMessage>): grpc.ClientWritableStream<EchoMessage>;
  chat(metadata?: grpc.Metadata, options?: Partial<grpc.CallOptions>): grpc.ClientDuplexStream<EchoMessage, EchoMessage>;
}

export interface EchoClientConstructor {
  new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions): EchoClient;
  service: grpc.ServiceDefinition;
}

export declare function loadEcho(grpc?: typeof import('@grpc/grpc-js')): {
  Echo: EchoClientConstructor;
  service: grpc.ServiceDefinition;
};
