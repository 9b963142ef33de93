import { isEmail, isURL } from 'class-validator';

/** What this process does: serve the API, run queue workers, or both (the default). */
export type Role = 'api' | 'worker' | 'all';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type DatabaseConfig = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

/** The privacy policy's data categories, plus the two that breaches of accounts add. */
export const DEFAULT_DATA_CATEGORIES = [
  'personal_identifiers',
  'device_identifiers',
  'camera_data',
  'app_usage',
  'device_info',
  'mobile_network',
  'logs',
  'account_credentials',
  'third_party_account',
] as const;

/**
 * The typed, validated configuration. Built once at start by {@link loadConfig}; nothing else reads
 * process.env. Injected by class token.
 */
export class AppConfig {
  readonly role!: Role;
  readonly port!: number;
  readonly logLevel!: LogLevel;
  readonly publicBaseUrl!: string;
  readonly organizationName!: string;
  readonly privacyContactEmail!: string;
  readonly database!: DatabaseConfig;
  /** Unset: queues run on BullMQ's PostgreSQL backend over the configured database. */
  readonly redisUrl!: string | undefined;
  readonly adminApiKey!: string | undefined;
  readonly dataCategories!: readonly string[];
  /** How long a graceful shutdown waits for in-flight jobs before it gives up. */
  readonly shutdownTimeoutMs!: number;
  /** Largest JSON body accepted, in bytes. */
  readonly bodyLimitBytes!: number;

  static of(values: AppConfig): AppConfig {
    return Object.freeze(Object.assign(new AppConfig(), values));
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

interface Variable {
  name: string;
  description: string;
  default?: string;
  /** Secrets are never printed, not even in error messages. */
  sensitive?: boolean;
}

/** Every variable the service reads, documented once; a test checks that README.md's table lists them all. */
export const VARIABLES: readonly Variable[] = [
  { name: 'ROLE', description: '`api`, `worker` or `all`: which parts this process runs', default: 'all' },
  {
    name: 'PORT',
    description: 'HTTP port (a worker serves only /health and /metrics on it)',
    default: '3000',
  },
  { name: 'LOG_LEVEL', description: 'fatal, error, warn, info, debug, trace or silent', default: 'info' },
  {
    name: 'DATABASE_URL',
    description:
      '`postgres://…` to use that PostgreSQL server; unset: embedded PostgreSQL (PGlite) in DATA_DIR',
    sensitive: true,
  },
  {
    name: 'DATA_DIR',
    description: 'Folder of the embedded databases (`memory://` keeps them in memory)',
    default: './data',
  },
  {
    name: 'REDIS_URL',
    description: '`redis://…` for the BullMQ queues; unset: BullMQ on the PostgreSQL database',
    sensitive: true,
  },
  {
    name: 'PUBLIC_BASE_URL',
    description: 'Public address of the service, used in links in notices',
    default: 'http://localhost:3000',
  },
  {
    name: 'ORGANIZATION_NAME',
    description: 'The company that sends the notices',
    default: 'Example Organization',
  },
  {
    name: 'PRIVACY_CONTACT_EMAIL',
    description: 'Where affected people can reach the company',
    default: 'privacy@example.com',
  },
  {
    name: 'ADMIN_API_KEY',
    description:
      'When set, an admin API key with exactly this secret exists (first set-up, automation); at least 32 characters',
    sensitive: true,
  },
  {
    name: 'EXTRA_DATA_CATEGORIES',
    description: 'Comma-separated data categories added to the built-in ones',
  },
  {
    name: 'SHUTDOWN_TIMEOUT_MS',
    description: 'How long shutdown waits for in-flight jobs',
    default: '30000',
  },
  { name: 'BODY_LIMIT', description: 'Largest JSON request body in bytes', default: '1048576' },
];

const ROLES: readonly Role[] = ['api', 'worker', 'all'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const CATEGORY_PATTERN = /^[a-z][a-z0-9_]{1,62}$/;

/** Reads and validates the environment; throws a {@link ConfigError} naming every bad variable. */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const raw = env[name];
    if (raw !== undefined && raw.trim() !== '') return raw.trim();
    return VARIABLES.find((v) => v.name === name)?.default;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const value = read(name) as T;
    if (!allowed.includes(value))
      problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
    return value;
  };
  const integer = (name: string, min: number, max: number): number => {
    const raw = read(name) ?? '';
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name}: must be a whole number from ${min} to ${max} (got "${raw}")`);
    }
    return value;
  };
  const url = (name: string, protocols: string[], sensitive = false): string | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    let ok = false;
    try {
      ok = protocols.includes(new URL(value).protocol.replace(/:$/, ''));
    } catch {
      ok = false;
    }
    if (!ok) {
      const shown = sensitive ? 'the value is not shown' : `got "${value}"`;
      problems.push(
        `${name}: must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')} (${shown})`,
      );
    }
    return value;
  };

  const role = oneOf('ROLE', ROLES);
  const port = integer('PORT', 1, 65535);
  const logLevel = oneOf('LOG_LEVEL', LOG_LEVELS);

  const databaseUrl = url('DATABASE_URL', ['postgres', 'postgresql'], true);
  const database: DatabaseConfig = databaseUrl
    ? { kind: 'postgres', url: databaseUrl }
    : { kind: 'pglite', dataDir: read('DATA_DIR') ?? './data' };
  const redisUrl = url('REDIS_URL', ['redis', 'rediss'], true);

  const publicBaseUrl = read('PUBLIC_BASE_URL') ?? '';
  if (!isURL(publicBaseUrl, { protocols: ['http', 'https'], require_tld: false, require_protocol: true })) {
    problems.push(`PUBLIC_BASE_URL: must be an http(s) URL (got "${publicBaseUrl}")`);
  }
  const organizationName = read('ORGANIZATION_NAME') ?? '';
  if (organizationName.length > 200) problems.push('ORGANIZATION_NAME: must be at most 200 characters');
  const privacyContactEmail = read('PRIVACY_CONTACT_EMAIL') ?? '';
  if (!isEmail(privacyContactEmail)) {
    problems.push(`PRIVACY_CONTACT_EMAIL: must be an email address (got "${privacyContactEmail}")`);
  }

  const adminApiKey = read('ADMIN_API_KEY');
  if (adminApiKey !== undefined && adminApiKey.length < 32) {
    problems.push('ADMIN_API_KEY: must be at least 32 characters (the value is not shown)');
  }

  const extra = (read('EXTRA_DATA_CATEGORIES') ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  for (const category of extra) {
    if (!CATEGORY_PATTERN.test(category)) {
      problems.push(`EXTRA_DATA_CATEGORIES: "${category}" must be lower_snake_case (a-z, 0-9, _)`);
    }
  }

  const shutdownTimeoutMs = integer('SHUTDOWN_TIMEOUT_MS', 0, 600_000);
  const bodyLimitBytes = integer('BODY_LIMIT', 1024, 512 * 1024 * 1024);

  if (problems.length > 0) throw new ConfigError(problems);
  return AppConfig.of({
    role,
    port,
    logLevel,
    publicBaseUrl: publicBaseUrl.replace(/\/+$/, ''),
    organizationName,
    privacyContactEmail,
    database,
    redisUrl,
    adminApiKey,
    dataCategories: [...new Set([...DEFAULT_DATA_CATEGORIES, ...extra])],
    shutdownTimeoutMs,
    bodyLimitBytes,
  });
}
