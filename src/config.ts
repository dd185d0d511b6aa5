/**
 * The only reader of the environment. Every setting is parsed and validated once,
 * at start-up, so a bad value fails fast with the variable's name instead of
 * surfacing later as a confusing runtime error.
 */
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  /** HTTP and WebSocket port; 0 picks a free one (tests). */
  port: number;
  /** Address to bind; default all interfaces. */
  host: string;
  /** PostgreSQL server URL; undefined starts the embedded PostgreSQL in dataDir. */
  databaseUrl?: string;
  /** Redis URL; undefined uses in-process pub/sub (single instance only). */
  redisUrl?: string;
  /** Prefix of every Redis channel, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
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
  /** NODE_ENV=production: no field suggestions in errors, introspection only for introspectionRoles. */
  production: boolean;
  /** Roles whose keys may introspect the schema (default: ADMIN and NOC in production, every role otherwise). */
  introspectionRoles: ApiRole[];
  /** Query cost control, checked before anything executes (docs/security-notes/query-limits.md). */
  queryLimits: QueryLimits;
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
  const allow = (str(env, 'OUTBOUND_ALLOW_CIDRS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const cidr of allow) {
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(cidr)) {
      throw new ConfigError('OUTBOUND_ALLOW_CIDRS', `must be a comma list of CIDR blocks, got "${cidr}"`);
    }
  }
  const production = str(env, 'NODE_ENV') === 'production';
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
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: str(env, 'REDIS_PREFIX') ?? 'lineguard',
    adminApiKey,
    logLevel,
    dataDir: path.resolve(str(env, 'DATA_DIR') ?? './.lineguard'),
    maxCdrBatch: int(env, 'MAX_CDR_BATCH', 10_000, 1, 100_000),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 3_000, 0, 120_000),
    schedulerIntervalMs: int(env, 'SCHEDULER_INTERVAL_MS', 1_000, 0, 3_600_000),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: str(env, 'MAIL_FROM') ?? 'Lineguard <alerts@lineguard.local>',
    smsGatewayUrl: url(env, 'SMS_GATEWAY_URL', ['http:', 'https:']),
    smsGatewayToken: str(env, 'SMS_GATEWAY_TOKEN'),
    webhookSecret: str(env, 'WEBHOOK_SECRET') ?? 'whsec_bGluZWd1YXJkLWRldmVsb3BtZW50LXNlY3JldA==',
    deliveryTimeoutMs: int(env, 'DELIVERY_TIMEOUT_MS', 5_000, 100, 120_000),
    deliveryMaxAttempts: int(env, 'DELIVERY_MAX_ATTEMPTS', 5, 1, 50),
    deliveryBackoffMs: int(env, 'DELIVERY_BACKOFF_MS', 2_000, 10, 3_600_000),
    outboundAllowCidrs: allow,
    production,
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
