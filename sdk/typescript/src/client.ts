/**
 * `IworkzClient`: every service of the platform over one gRPC-web transport,
 * with bearer tokens (refreshed on expiry), per-method deadlines and retries
 * from the service config, and live streams that resume where they broke off.
 */
import { Code, ConnectError, createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { AgentService } from "./gen/iworkz/agent/v1/agent_pb";
import { CredentialService } from "./gen/iworkz/credentials/v1/credentials_pb";
import {
  IdentityService,
  type LoginResponse,
  type SignUpRequestSchema,
  type SignUpResponse,
  type TokenPair,
} from "./gen/iworkz/identity/v1/identity_pb";
import { MarketplaceService } from "./gen/iworkz/marketplace/v1/marketplace_pb";
import { MatchingService } from "./gen/iworkz/matching/v1/matching_pb";
import { NotificationService, type Notification } from "./gen/iworkz/notifications/v1/notifications_pb";
import { VoiceService } from "./gen/iworkz/voice/v1/voice_pb";
import { CallPolicy, withCallPolicy, type ServiceConfig } from "./policy";
import { resumable } from "./streams";
import { MemoryTokenStore, Session, tokenSubject, type TokenStore, type Tokens } from "./session";

/** RPCs that establish credentials carry none: an expired token sent along would make the edge refuse them. */
const CREDENTIAL_RPCS = new Set(
  ["SignUp", "Login", "RefreshToken", "Logout", "ExchangeApiKey", "GetJwks"].map(
    (name) => `iworkz.identity.v1.IdentityService/${name}`,
  ),
);

export interface ClientOptions {
  /** The edge, e.g. `https://127.0.0.1:8443`. */
  baseUrl: string;
  /**
   * The fetch to use. In React Native pass `fetch` from `expo/fetch`: the
   * built-in one cannot stream response bodies.
   */
  fetch?: typeof globalThis.fetch;
  /** Where tokens are kept (default: in memory). */
  tokenStore?: TokenStore;
  /** Deadlines and retries (default: the config generated from the contracts). */
  serviceConfig?: ServiceConfig;
  /** Extra interceptors, run inside the SDK's (after the bearer token is set). */
  interceptors?: Interceptor[];
  /** Replace the gRPC-web transport altogether (tests, other protocols). */
  transport?: Transport;
}

/** A token pair from the platform as stored `Tokens`. */
export function tokensFrom(pair: TokenPair | undefined, now: number = Date.now()): Tokens {
  if (!pair?.accessToken) throw new Error("the response carries no tokens");
  const seconds = Number(pair.accessTokenExpiresIn?.seconds ?? 0n);
  return { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: now + seconds * 1000 };
}

/** A connection to the platform with every service's client. */
export class IworkzClient {
  readonly transport: Transport;
  readonly session: Session;
  /** The edge this client calls (also the base of the REST bindings). */
  readonly baseUrl: string;
  readonly identity: Client<typeof IdentityService>;
  readonly marketplace: Client<typeof MarketplaceService>;
  readonly notifications: Client<typeof NotificationService>;
  readonly matching: Client<typeof MatchingService>;
  readonly credentials: Client<typeof CredentialService>;
  readonly agent: Client<typeof AgentService>;
  readonly voice: Client<typeof VoiceService>;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.session = new Session(options.tokenStore ?? new MemoryTokenStore(), async (refreshToken) => {
      const response = await this.identity.refreshToken({ refreshToken });
      return tokensFrom(response.tokens);
    });
    const inner =
      options.transport ??
      createGrpcWebTransport({
        baseUrl: options.baseUrl,
        fetch: options.fetch,
        interceptors: [this.bearer(), ...(options.interceptors ?? [])],
      });
    this.transport = withCallPolicy(inner, new CallPolicy(options.serviceConfig));
    this.identity = createClient(IdentityService, this.transport);
    this.marketplace = createClient(MarketplaceService, this.transport);
    this.notifications = createClient(NotificationService, this.transport);
    this.matching = createClient(MatchingService, this.transport);
    this.credentials = createClient(CredentialService, this.transport);
    this.agent = createClient(AgentService, this.transport);
    this.voice = createClient(VoiceService, this.transport);
  }

  /** Sets `authorization: Bearer …`; after UNAUTHENTICATED on a unary call, refreshes once and retries. */
  private bearer(): Interceptor {
    return (next) => async (request) => {
      if (CREDENTIAL_RPCS.has(`${request.service.typeName}/${request.method.name}`)) return next(request);
      const token = await this.session.accessToken();
      if (token) request.header.set("authorization", `Bearer ${token}`);
      try {
        return await next(request);
      } catch (e) {
        const error = ConnectError.from(e);
        if (error.code !== Code.Unauthenticated || request.stream || !token || !(await this.session.canRefresh())) {
          throw error;
        }
        const fresh = await this.session.refresh();
        request.header.set("authorization", `Bearer ${fresh.accessToken}`);
        return next(request);
      }
    };
  }

  /** Adopt a token pair (from sign-up, login, refresh or an API-key exchange). */
  async useTokens(pair: TokenPair | undefined): Promise<void> {
    await this.session.use(tokensFrom(pair));
  }

  /** Create an account and sign in as it. */
  async signUp(request: MessageInitShape<typeof SignUpRequestSchema>): Promise<SignUpResponse> {
    const response = await this.identity.signUp(request);
    await this.useTokens(response.tokens);
    return response;
  }

  /** Sign in with email and password. */
  async login(email: string, password: string): Promise<LoginResponse> {
    const response = await this.identity.login({ email, password });
    await this.useTokens(response.tokens);
    return response;
  }

  /** Sign in with a partner's API key. */
  async loginWithApiKey(secret: string): Promise<void> {
    const response = await this.identity.exchangeApiKey({ secret });
    await this.useTokens(response.tokens);
  }

  /** End the session on the platform (the refresh token stops working) and forget the tokens. */
  async logout(): Promise<void> {
    const tokens = await this.session.tokens();
    try {
      if (tokens?.refreshToken) await this.identity.logout({ refreshToken: tokens.refreshToken });
    } finally {
      await this.session.clear();
    }
  }

  /** The signed-in user's id (the token's subject), "" when signed out. */
  async userId(): Promise<string> {
    const tokens = await this.session.tokens();
    return tokens ? tokenSubject(tokens.accessToken) : "";
  }

  /** The current access token, refreshed first when it is about to expire. */
  accessToken(): Promise<string> {
    return this.session.accessToken();
  }

  /**
   * `parent`'s notifications live (`users/{user}`), reconnecting after a broken
   * stream and resuming after the last notification received, so none is
   * missed or repeated. Heartbeats are consumed here. Ends on any error other
   * than UNAVAILABLE (or those in `retryOn`; a phone losing its network sees
   * UNKNOWN from fetch) and when `signal` aborts.
   */
  notificationStream(
    parent: string,
    options: { lastEventId?: string; signal?: AbortSignal; reconnectDelayMs?: number; retryOn?: Code[] } = {},
  ): AsyncGenerator<Notification> {
    return resumable({
      open: (lastEventId, signal) => this.notifications.subscribe({ parent, lastEventId }, { signal }),
      pick: (item) =>
        item.event.case === "notification"
          ? { id: item.event.value.eventId, value: item.event.value }
          : item.event.case === "heartbeat" && item.event.value.lastEventId
            ? { id: item.event.value.lastEventId }
            : undefined,
      lastId: options.lastEventId ?? "",
      signal: options.signal,
      reconnectDelayMs: options.reconnectDelayMs,
      retryOn: options.retryOn,
    });
  }
}
