/**
 * The iWORKZ TypeScript SDK.
 *
 * - {@link IworkzClient}: every service over gRPC-web, bearer tokens with refresh,
 *   deadlines and retries from the service config, resumable live streams.
 * - Messages and services generated from the contracts: import them from
 *   `@iworkz/sdk/gen/iworkz/<service>/v1/<file>_pb` (also re-exported here by service).
 *
 * @packageDocumentation
 */
export { IworkzClient, tokensFrom, type ClientOptions } from "./client";
export { CallPolicy, withCallPolicy, withRequestId, randomUuid, durationMs, SERVICE_CONFIG, type ServiceConfig, type MethodPolicy } from "./policy";
export { MemoryTokenStore, Session, tokenSubject, REFRESH_MARGIN_MS, type TokenStore, type Tokens } from "./session";
export { resumable, type ResumableOptions } from "./streams";
export * as identity from "./gen/iworkz/identity/v1/identity_pb";
export * as marketplace from "./gen/iworkz/marketplace/v1/marketplace_pb";
export * as notifications from "./gen/iworkz/notifications/v1/notifications_pb";
export * as matching from "./gen/iworkz/matching/v1/matching_pb";
export * as credentials from "./gen/iworkz/credentials/v1/credentials_pb";
export * as agent from "./gen/iworkz/agent/v1/agent_pb";
export * as voice from "./gen/iworkz/voice/v1/voice_pb";
export * as types from "./gen/iworkz/type/v1/profile_types_pb";
export { create, toJson, fromJson } from "@bufbuild/protobuf";
export { Code, ConnectError } from "@connectrpc/connect";
