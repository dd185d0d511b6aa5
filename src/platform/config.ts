/**
 * The only reader of the environment. Every setting is parsed and validated once,
 * at start-up, so a bad value fails fast with the variable's name instead of
 * surfacing later as a confusing runtime error.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Role } from './graphql/role';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  /** HTTP and WebSocket port; 0 picks a free one (tests). */
  port: number;
  /** Address to bind; default all interfaces. */
  host: string;
  /** PostgreSQL server URL; undefined starts the embedded PostgreSQL in dataDir. */
  databaseUrl?: string;
  /** Connections each instance keeps to PostgreSQL (with many instances, put PgBouncer in front: docs/scaling.md). */
  databasePoolSize: number;
  /**
   * Connections of the pool kept open however long they idle: a new PostgreSQL backend
   * plans every prepared statement again on first use (the CDR batch's alert rules ~20 ms,
   * the window job's 8-36 ms), so a feed resuming after a pause finds warm ones.
   */
  databasePoolMin: number;
  /** How long a connection above databasePoolMin may idle before the pool closes it, ms (0: never). */
  databasePoolIdleMs: number;
  /** Connections of the background jobs' own pool (Database.jobsPool), beside databasePoolSize. */
  databaseJobsPoolSize: number;
  /** Redis URL; undefined uses in-process pub/sub (single instance only). */
  redisUrl?: string;
  /** Prefix of every Redis channel, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  /** Timeout of one Redis command (a publish after commit, the readiness ping), ms. */
  redisCommandTimeoutMs: number;
  /** Most pub/sub wake-ups held in memory while Redis is unreachable (sent when it is back). */
  redisPublishBuffer: number;
  /** How long /readyz waits for each of PostgreSQL and Redis before answering 503, ms. */
  readyTimeoutMs: number;
  /**
   * How long an instance trusts an API key it read without hearing of it, ms (0: read the
   * key on every request). Revocation reaches every instance at once through Redis; this
   * bounds how long a revoked key still works on an instance that missed the notice.
   */
  apiKeyCacheMs: number;
  /** The built NOC console (`npm run build:web`), served at `/`; absent: `/` says how to build it. */
  consoleDir: string;
  /** NODE_ENV is production: development defaults (the webhook secret) are refused. */
  production: boolean;
  /** Secret of an ADMIN key guaranteed to exist after start. */
  adminApiKey?: string;
  logLevel: LogLevel;
  /** Folder of the embedded database and other local state. */
  dataDir: string;
  /** Maximum CDRs in one submitCdrs call. */
  maxCdrBatch: number;
  /** Maximum HTTP request body, bytes. */
  maxBodyBytes: number;
  /** How long SIGTERM waits for in-flight requests before closing sockets, ms. */
  shutdownGraceMs: number;
  /** Period of the background schedulers (alert windows, repeats, penalties, outbox), ms; 0 disables. */
  schedulerIntervalMs: number;
  /**
   * Days of CDRs kept before today (UTC); older days are dropped whole and a record
   * older than that is refused (BEYOND_RETENTION). 0 keeps everything. See docs/retention.md.
   */
  cdrRetentionDays: number;
  /**
   * Whole UTC days of per-minute call buckets kept before today, at least (the longest
   * alert window is always kept); older days are dropped.
   */
  bucketRetentionDays: number;
  /** Days of cdrs (and call bucket) partitions kept created ahead of today. */
  cdrPartitionsAheadDays: number;
  /**
   * Days of alert events kept at least (UTC); whole weeks wholly older than that are
   * dropped. 0 keeps everything. See docs/retention.md.
   */
  alertEventRetentionDays: number;
  /** How often each instance runs partition maintenance (create ahead, drop past retention), ms. */
  partitionMaintenanceMs: number;
  /**
   * How often the per-minute call deltas are folded into their buckets, across all
   * instances, ms (src/modules/cdr/call-buckets.ts). Shorter keeps the deltas table that
   * readers scan smaller; longer folds more calls into each bucket update.
   */
  callBucketCompactionMs: number;
  /**
   * The same while windowed rules exist (the compaction keeps their bounds), ms. Then every
   * CDR batch's rule statement and every windows' pass scan the deltas not folded yet, so
   * their cost grows with the interval; without windowed rules only callStats reads them.
   */
  callBucketCompactionRulesMs: number;
  /**
   * Customers per transaction of the windowed rules' re-evaluation (the alert-windows job):
   * each transaction holds its customers' rows locked, and a CDR batch for one of them waits.
   */
  alertWindowChunk: number;
  /**
   * How often the windowed rules are re-evaluated as time passes (calls ageing out of a
   * window can move it with no new CDR), once per interval across all instances, ms. Each
   * pass evaluates every customer with calls in the widest window: longer saves that CPU and
   * delays the windows' time-driven transitions by as much (a new CDR is evaluated at once).
   */
  alertWindowIntervalMs: number;
  /** Outbound notifications. */
  smtpUrl?: string;
  mailFrom: string;
  smsGatewayUrl?: string;
  smsGatewayToken?: string;
  webhookSecret: string;
  /** Timeout of one outbound delivery attempt, ms. */
  deliveryTimeoutMs: number;
  /** Attempts before a notification is FAILED. */
  deliveryMaxAttempts: number;
  /** First retry delay, ms; doubles per attempt. */
  deliveryBackoffMs: number;
  /** Outbound hosts allowed although private/loopback (comma list of CIDRs, e.g. 127.0.0.0/8). */
  outboundAllowCidrs: string[];
  /** Notification template sandbox: largest subject, body or BCC source, characters. */
  templateMaxChars: number;
  /** Largest rendered message (subject, body and BCC together), characters. */
  templateMaxOutputChars: number;
  /** Most expressions ({{...}} and subexpressions) in one template part. */
  templateMaxExpressions: number;
  /** Deepest nesting of blocks and subexpressions in one template part. */
  templateMaxDepth: number;
  /** Most {{#each}} turns while rendering one message. */
  templateMaxIterations: number;
  /** Most helper calls and loop turns together while rendering one message. */
  templateMaxSteps: number;
  /** Render time backstop per message, ms. */
  templateRenderMs: number;
  /** Most emails, phones and webhook URLs (each) of one alert definition. */
  maxRuleRecipients: number;
  /** HTTP server limits (see src/server/http-limits.ts). */
  http: HttpLimitsConfig;
  /** graphql-ws limits (see src/server/ws-limits.ts). */
  ws: WsLimitsConfig;
  /** Per-key rate limits (see src/server/rate-limit.ts). */
  rateLimits: RateLimitsConfig;
  /** Roles whose keys may introspect the schema (default: ADMIN and NOC in production, every role otherwise). */
  introspectionRoles: ApiRole[];
  /** Query cost control, checked before anything executes (docs/security/query-limits.md). */
  queryLimits: QueryLimits;
}

export interface HttpLimitsConfig {
  /** Time to receive a whole request (headers and body), ms. */
  requestTimeoutMs: number;
  /** Time to receive the request headers, ms. */
  headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open, ms. */
  keepAliveTimeoutMs: number;
  /** Open connections (HTTP and WebSocket) per instance; more are closed on accept. */
  maxConnections: number;
}

export interface WsLimitsConfig {
  /** Operations open at once on one socket. */
  maxSubscriptionsPerSocket: number;
  /** Open sockets of one API key on this instance. */
  maxSocketsPerKey: number;
  /** A socket that has not sent connection_init by then is closed (4408), ms. */
  initTimeoutMs: number;
  /** Largest WebSocket message, bytes. */
  maxMessageBytes: number;
  /** Unsent bytes a socket may hold before it is closed as a slow consumer (4413; the client resumes by cursor). */
  maxBufferedBytes: number;
}

/** Per second, per API key; 0 means unlimited. */
export interface RoleRateLimit {
  requestsPerSecond: number;
  cdrsPerSecond: number;
}

export interface RateLimitsConfig {
  perRole: Record<Role, RoleRateLimit>;
  /** How long a rate-limit lookup in Redis may take before the per-instance limiter decides, ms. */
  storeTimeoutMs: number;
}

export type ApiRole = 'ADMIN' | 'NOC' | 'INGEST' | 'CUSTOMER';
const API_ROLES: ApiRole[] = ['ADMIN', 'NOC', 'INGEST', 'CUSTOMER'];

export interface QueryLimits {
  /** Deepest field nesting of an operation, fragments expanded. */
  depth: number;
  /** Aliased fields in one operation, fragments expanded. */
  aliases: number;
  /** Lexical tokens in one document (variables are not part of it). */
  tokens: number;
  /** Directives in one operation, fragments expanded. */
  directives: number;
  /** Estimated cost: each field 1, a list's children multiplied by its page size or maximum. */
  cost: number;
  /** Times one response name may be selected in one selection set (graphql-js compares each pair). */
  fieldRepeats: number;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

const DEVELOPMENT_WEBHOOK_SECRET = 'whsec_bGluZWd1YXJkLWRldmVsb3BtZW50LXNlY3JldA==';

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Parses and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const logLevel = (str(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const adminApiKey = str(env, 'ADMIN_API_KEY');
  if (adminApiKey !== undefined && adminApiKey.length < 16) {
    throw new ConfigError('ADMIN_API_KEY', 'must be at least 16 characters');
  }
  const production = str(env, 'NODE_ENV') === 'production';
  const webhookSecret = str(env, 'WEBHOOK_SECRET');
  // The development secret is in the source: anyone could sign webhooks with it.
  if (production && (webhookSecret === undefined || webhookSecret === DEVELOPMENT_WEBHOOK_SECRET)) {
    throw new ConfigError('WEBHOOK_SECRET', 'must be set to your own secret in production (NODE_ENV=production); the built-in one is for development only');
  }
  const allow = (str(env, 'OUTBOUND_ALLOW_CIDRS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const cidr of allow) {
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(cidr)) {
      throw new ConfigError('OUTBOUND_ALLOW_CIDRS', `must be a comma list of CIDR blocks, got "${cidr}"`);
    }
  }
  const maxCdrBatch = int(env, 'MAX_CDR_BATCH', 10_000, 1, 100_000);
  const databasePoolSize = int(env, 'DATABASE_POOL_SIZE', 20, 1, 1_000);
  const introspectionRoles = (str(env, 'INTROSPECTION_ROLES') ?? (production ? 'ADMIN,NOC' : API_ROLES.join(',')))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const role of introspectionRoles) {
    if (role !== 'NONE' && !API_ROLES.includes(role as ApiRole)) {
      throw new ConfigError('INTROSPECTION_ROLES', `must be a comma list of ${API_ROLES.join(', ')} (or NONE), got "${role}"`);
    }
  }
  return {
    port: int(env, 'PORT', 4000, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databasePoolSize,
    // At most the pool's size (the range named in the error is 0 to DATABASE_POOL_SIZE).
    databasePoolMin: int(env, 'DATABASE_POOL_MIN', Math.min(4, databasePoolSize), 0, databasePoolSize),
    databasePoolIdleMs: int(env, 'DATABASE_POOL_IDLE_MS', 60_000, 0, 86_400_000),
    databaseJobsPoolSize: int(env, 'DATABASE_JOBS_POOL_SIZE', 4, 1, 100),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: str(env, 'REDIS_PREFIX') ?? 'lineguard',
    redisCommandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 500, 10, 60_000),
    redisPublishBuffer: int(env, 'REDIS_PUBLISH_BUFFER', 10_000, 0, 1_000_000),
    readyTimeoutMs: int(env, 'READY_TIMEOUT_MS', 500, 10, 60_000),
    apiKeyCacheMs: int(env, 'API_KEY_CACHE_MS', 30_000, 0, 600_000),
    consoleDir: path.resolve(str(env, 'CONSOLE_DIR') ?? path.join(packageRoot(), 'dist', 'web')),
    production,
    adminApiKey,
    logLevel,
    dataDir: path.resolve(str(env, 'DATA_DIR') ?? './.lineguard'),
    maxCdrBatch,
    // A 10,000-record batch is 2.7 MB as JSON (5.4 MB with every string at its maximum length).
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 8 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 3_000, 0, 120_000),
    schedulerIntervalMs: int(env, 'SCHEDULER_INTERVAL_MS', 1_000, 0, 3_600_000),
    cdrRetentionDays: int(env, 'CDR_RETENTION_DAYS', 0, 0, 36_500),
    bucketRetentionDays: int(env, 'BUCKET_RETENTION_DAYS', 1, 1, 3_660),
    cdrPartitionsAheadDays: int(env, 'CDR_PARTITIONS_AHEAD_DAYS', 7, 1, 366),
    alertEventRetentionDays: int(env, 'ALERT_EVENT_RETENTION_DAYS', 0, 0, 36_500),
    partitionMaintenanceMs: int(env, 'PARTITION_MAINTENANCE_MS', 60_000, 100, 86_400_000),
    callBucketCompactionMs: int(env, 'CALL_BUCKET_COMPACTION_MS', 5_000, 100, 60_000),
    callBucketCompactionRulesMs: int(env, 'CALL_BUCKET_COMPACTION_RULES_MS', 2_500, 100, 60_000),
    alertWindowChunk: int(env, 'ALERT_WINDOW_CHUNK', 500, 1, 100_000),
    alertWindowIntervalMs: int(env, 'ALERT_WINDOW_INTERVAL_MS', 1_000, 100, 3_600_000),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: str(env, 'MAIL_FROM') ?? 'Lineguard <alerts@lineguard.local>',
    smsGatewayUrl: url(env, 'SMS_GATEWAY_URL', ['http:', 'https:']),
    smsGatewayToken: str(env, 'SMS_GATEWAY_TOKEN'),
    webhookSecret: webhookSecret ?? DEVELOPMENT_WEBHOOK_SECRET,
    deliveryTimeoutMs: int(env, 'DELIVERY_TIMEOUT_MS', 5_000, 100, 120_000),
    deliveryMaxAttempts: int(env, 'DELIVERY_MAX_ATTEMPTS', 5, 1, 50),
    deliveryBackoffMs: int(env, 'DELIVERY_BACKOFF_MS', 2_000, 10, 3_600_000),
    outboundAllowCidrs: allow,
    templateMaxChars: int(env, 'TEMPLATE_MAX_CHARS', 32_768, 256, 1_048_576),
    templateMaxOutputChars: int(env, 'TEMPLATE_MAX_OUTPUT_CHARS', 65_536, 1_024, 4_194_304),
    templateMaxExpressions: int(env, 'TEMPLATE_MAX_EXPRESSIONS', 250, 1, 100_000),
    templateMaxDepth: int(env, 'TEMPLATE_MAX_DEPTH', 16, 1, 1_000),
    templateMaxIterations: int(env, 'TEMPLATE_MAX_ITERATIONS', 100, 0, 1_000_000),
    templateMaxSteps: int(env, 'TEMPLATE_MAX_STEPS', 2_000, 1, 10_000_000),
    templateRenderMs: int(env, 'TEMPLATE_RENDER_MS', 250, 10, 60_000),
    maxRuleRecipients: int(env, 'MAX_RULE_RECIPIENTS', 20, 1, 1_000),
    http: httpLimits(env),
    ws: {
      maxSubscriptionsPerSocket: int(env, 'WS_MAX_SUBSCRIPTIONS_PER_SOCKET', 100, 1, 10_000),
      maxSocketsPerKey: int(env, 'WS_MAX_SOCKETS_PER_KEY', 20, 1, 100_000),
      initTimeoutMs: int(env, 'WS_INIT_TIMEOUT_MS', 3_000, 100, 60_000),
      maxMessageBytes: int(env, 'WS_MAX_MESSAGE_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      maxBufferedBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 16 * 1024, 1024 * 1024 * 1024),
    },
    rateLimits: rateLimits(env, maxCdrBatch),
    introspectionRoles: introspectionRoles.filter((r): r is ApiRole => r !== 'NONE'),
    queryLimits: {
      depth: int(env, 'MAX_QUERY_DEPTH', 12, 2, 100),
      aliases: int(env, 'MAX_QUERY_ALIASES', 30, 0, 10_000),
      tokens: int(env, 'MAX_QUERY_TOKENS', 1_000, 100, 1_000_000),
      directives: int(env, 'MAX_QUERY_DIRECTIVES', 50, 0, 10_000),
      cost: int(env, 'MAX_QUERY_COST', 5_000_000, 1_000, 1_000_000_000),
      fieldRepeats: int(env, 'MAX_QUERY_FIELD_REPEATS', 20, 1, 1_000),
    },
  };
}

function httpLimits(env: Env): HttpLimitsConfig {
  // 60 s receives a realistic 10,000-record batch (2.7 MB) at 45 KB/s, a slow uplink.
  const requestTimeoutMs = int(env, 'HTTP_REQUEST_TIMEOUT_MS', 60_000, 100, 3_600_000);
  const headersTimeoutMs = int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 3_600_000);
  // Node refuses a headers timeout longer than the request timeout.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `must not exceed HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs}), got ${headersTimeoutMs}`);
  }
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    maxConnections: int(env, 'HTTP_MAX_CONNECTIONS', 1_000, 1, 1_000_000),
  };
}

/** Defaults: a switch (INGEST) sends many records in few requests, a portal (CUSTOMER) few requests. */
const RATE_LIMIT_DEFAULTS: Record<Role, RoleRateLimit> = {
  ADMIN: { requestsPerSecond: 100, cdrsPerSecond: 20_000 },
  NOC: { requestsPerSecond: 50, cdrsPerSecond: 0 },
  INGEST: { requestsPerSecond: 50, cdrsPerSecond: 20_000 },
  CUSTOMER: { requestsPerSecond: 20, cdrsPerSecond: 0 },
};

function rateLimits(env: Env, maxCdrBatch: number): RateLimitsConfig {
  const perRole = {} as Record<Role, RoleRateLimit>;
  for (const role of Object.keys(RATE_LIMIT_DEFAULTS) as Role[]) {
    const def = RATE_LIMIT_DEFAULTS[role];
    const cdrVar = `RATE_LIMIT_CDRS_PER_SEC_${role}`;
    const cdrsPerSecond = def.cdrsPerSecond ? int(env, cdrVar, def.cdrsPerSecond, 0, 100_000_000) : 0;
    // A batch larger than the per-second budget could never pass, however long the client waits.
    if (cdrsPerSecond > 0 && cdrsPerSecond < maxCdrBatch) {
      throw new ConfigError(cdrVar, `must be 0 (unlimited) or at least MAX_CDR_BATCH (${maxCdrBatch}), got ${cdrsPerSecond}`);
    }
    perRole[role] = { requestsPerSecond: int(env, `RATE_LIMIT_REQUESTS_PER_SEC_${role}`, def.requestsPerSecond, 0, 1_000_000), cdrsPerSecond };
  }
  return { perRole, storeTimeoutMs: int(env, 'RATE_LIMIT_STORE_TIMEOUT_MS', 250, 10, 10_000) };
}

/** The folder of package.json above this file (src/ under ts-jest, dist/src/ when built). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}
