/**
 * Bearer tokens: where they are kept and when they are refreshed.
 *
 * The access token is sent on every call except those that establish
 * credentials. It is refreshed with the single-use refresh token shortly
 * before it expires (one refresh at a time, however many calls wait), and
 * once more when the platform answers UNAUTHENTICATED anyway (a clock off,
 * a revoked key).
 */

/** A session's tokens. `expiresAt` is milliseconds since the epoch. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/**
 * Where tokens live. The default keeps them in memory; the mobile app keeps
 * them in the device's secure store (`expo-secure-store`).
 */
export interface TokenStore {
  load(): Promise<Tokens | null>;
  save(tokens: Tokens): Promise<void>;
  clear(): Promise<void>;
}

/** Tokens in memory only: gone with the process. */
export class MemoryTokenStore implements TokenStore {
  private tokens: Tokens | null = null;
  async load(): Promise<Tokens | null> {
    return this.tokens;
  }
  async save(tokens: Tokens): Promise<void> {
    this.tokens = tokens;
  }
  async clear(): Promise<void> {
    this.tokens = null;
  }
}

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 60_000;

/** Exchanges a refresh token for a new pair (the identity service's RefreshToken). */
export type Refresher = (refreshToken: string) => Promise<Tokens>;

/** The signed-in state of one client. */
export class Session {
  private cached: Tokens | null | undefined;
  private refreshing: Promise<Tokens> | null = null;

  constructor(
    private readonly store: TokenStore,
    private readonly refresher: Refresher,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stored tokens (read once from the store, then cached). */
  async tokens(): Promise<Tokens | null> {
    if (this.cached === undefined) this.cached = await this.store.load();
    return this.cached;
  }

  async use(tokens: Tokens): Promise<void> {
    this.cached = tokens;
    await this.store.save(tokens);
  }

  async clear(): Promise<void> {
    this.cached = null;
    await this.store.clear();
  }

  /** The access token to send now, refreshed first when it is about to expire ("" when signed out). */
  async accessToken(): Promise<string> {
    const tokens = await this.tokens();
    if (!tokens) return "";
    if (tokens.refreshToken && this.now() > tokens.expiresAt - REFRESH_MARGIN_MS) {
      return (await this.refresh()).accessToken;
    }
    return tokens.accessToken;
  }

  /** Whether a refresh could replace the current access token. */
  async canRefresh(): Promise<boolean> {
    return Boolean((await this.tokens())?.refreshToken);
  }

  /** Refresh now; concurrent callers share one RefreshToken call (the refresh token is single-use). */
  refresh(): Promise<Tokens> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const current = await this.tokens();
          if (!current?.refreshToken) throw new Error("no refresh token: sign in again");
          const next = await this.refresher(current.refreshToken);
          await this.use(next);
          return next;
        } finally {
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }
}

/** The `sub` claim of a JWT (the user id), without verifying it: the platform does that. */
export function tokenSubject(accessToken: string): string {
  const payload = accessToken.split(".")[1];
  if (!payload) return "";
  const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const json = atob(padded);
  try {
    return String(JSON.parse(json).sub ?? "");
  } catch {
    return "";
  }
}
