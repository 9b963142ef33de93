import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isEmail, isURL } from 'class-validator';
import { VARIABLES } from './variables.js';
import { DEFAULT_DATA_CATEGORIES } from '../common/data-categories.js';

/** What this process does: serve the API, run queue workers, or both (the default). */
export type Role = 'api' | 'worker' | 'all' | 'public';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface EncryptionConfig {
  /** Key id -> 32-byte key; the first entry is the current one. */
  keys: ReadonlyArray<{ id: string; key: Buffer }>;
  hashKey: Buffer;
}

/** SendGrid (email). Unset: emails go to the local outbox. */
export interface SendGridConfig {
  apiKey: string;
  from: string;
  baseUrl: string;
}

/** Twilio (SMS). Unset: SMS go to the local outbox. */
export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  from: string | undefined;
  messagingServiceSid: string | undefined;
  baseUrl: string;
}

/** Firebase Cloud Messaging (push). Unset: push alerts go to the local outbox. */
export interface FcmConfig {
  projectId: string;
  /** A service account (JSON); or a ready OAuth token. */
  serviceAccount: Record<string, unknown> | undefined;
  accessToken: string | undefined;
  /** Every FCM request goes to this address instead (tests, proxies). */
  baseUrl: string | undefined;
}

/** Limits of the PostgreSQL connections (the embedded database is in the process: none apply). */
export interface PostgresTimeouts {
  /** How long opening a connection may take before the query that wanted it fails. */
  connectTimeoutMs: number;
  /** The longest statement (a wait for a lock included); 0: no limit. */
  statementTimeoutMs: number;
  /** The longest statement of the set-based work at a million rows (migrations, freezes, plans); 0: none. */
  bulkStatementTimeoutMs: number;
}

export type DatabaseConfig =
  ({ kind: 'postgres'; url: string } & PostgresTimeouts) | { kind: 'pglite'; dataDir: string };

/** The privacy policy's data categories (as groups) and their finer members, plus the two that breaches of accounts add. */
export { DEFAULT_DATA_CATEGORIES } from '../common/data-categories.js';

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
  /** Largest body of `POST /v1/subjects/bulk` (up to 10,000 people), in bytes. */
  readonly bulkBodyLimitBytes!: number;
  /** Largest streamed import file, in bytes. */
  readonly importMaxBytes!: number;
  /** Worker threads that prepare import batches; 0 prepares them on the main thread. */
  readonly importThreads!: number;
  /**
   * Field-encryption keys, the first encrypts and all decrypt; and the key of the email/phone hashes.
   * Undefined in embedded mode without configuration: generated once and kept in DATA_DIR.
   */
  readonly encryption!: EncryptionConfig | undefined;
  /** Age of digital consent when a jurisdiction has no entry of its own. */
  readonly minorAgeDefault!: number;
  /** Configured ages per jurisdiction; they override the built-in table. */
  readonly minorAges!: Readonly<Record<string, number>>;
  /** SMS segments the sender may send per second (Twilio counts its rate so), across all worker processes. */
  readonly smsMaxPerSecond!: number;
  readonly sendgrid!: SendGridConfig | undefined;
  /** The public key (base64 DER or PEM) that signs SendGrid's Event Webhook; unset: its posts are refused. */
  readonly sendgridWebhookPublicKey!: string | undefined;
  readonly twilio!: TwilioConfig | undefined;
  readonly fcm!: FcmConfig | undefined;
  /** How long a send job owns the messages it claimed before the reconciler hands them to another. */
  readonly deliveryLeaseMs!: number;
  /** The DPO or other contact point named in regulator reports (GDPR Art. 33(3)(b)); null: the privacy contact. */
  readonly dpoContact!: string | null;
  /** EU/EEA country of the main establishment (one-stop-shop); null: every authority where people live. */
  readonly euMainEstablishment!: string | null;
  /**
   * The German Land of the company's seat (`DE-BY`), whose authority takes German residents' reports
   * (BDSG §40), or `BFDI` for the federal commissioner; null: not configured (decided by hand).
   */
  readonly germanLand!: string | null;
  /** The company's postal address for regulators (Florida); null: not configured. */
  readonly postalAddress!: string | null;
  /**
   * Whether the people of the directory consented to electronic notice as E-SIGN asks (US states whose
   * statutes accept electronic notice only so): `none` (not known, the stricter reading) or `all`.
   */
  readonly esignConsent!: 'none' | 'all';
  /** Whether the accounts can pay or send money (Japan's property-damage test); null: not known. */
  readonly accountPayments!: boolean | null;
  /** Whether a written information security programme is maintained (Massachusetts); null: not said. */
  readonly writtenSecurityProgram!: boolean | null;
  /** Where deadline alerts are emailed; null: alerts go to the audit log, the timeline and metrics only. */
  readonly obligationAlertEmail!: string | null;
  /** How long before an obligation falls due its "due soon" alert fires. */
  readonly obligationAlertLeadMs!: number;
  /** How long the local outbox keeps a message; 0: no limit. */
  readonly outboxRetentionMs!: number;
  /** How long a person's notice page (`/n/<token>`) answers after their notice went out. */
  readonly noticePageMs!: number;
  /** How long a serving process keeps a person's rendered page in memory (0: not at all). */
  readonly noticePageKeepMs!: number;
  /** Requests to personal notice pages per client address and minute (each node with Redis: all nodes). */
  readonly noticePageRateLimit!: number;

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

const ROLES: readonly Role[] = ['api', 'worker', 'all', 'public'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const CATEGORY_PATTERN = /^[a-z][a-z0-9_]{1,62}$/;

/**
 * Reads and validates the environment; throws a {@link ConfigError} naming every bad variable. Only the
 * formats are checked here: what a value means to a feature (the English SMS in one segment, an EEA
 * country) is checked by that feature at boot (templates/, jurisdictions/), naming the variable too.
 */
export function loadConfig(env: Env): AppConfig {
  const reader = new EnvReader(env);
  const server = readServer(reader);
  const values: AppConfig = {
    ...server,
    ...readOrganization(reader),
    ...readDirectory(reader, server.database),
    ...readSending(reader),
  };
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return AppConfig.of(values);
}

/** Reads variables (trimmed; else their documented default) and collects what is wrong with them. */
class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  read(name: string): string | undefined {
    const raw = this.env[name];
    if (raw !== undefined && raw.trim() !== '') return raw.trim();
    return VARIABLES.find((v) => v.name === name)?.default;
  }

  problem(text: string): void {
    this.problems.push(text);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.read(name) as T;
    if (!allowed.includes(value))
      this.problem(`${name}: must be one of ${allowed.join(', ')} (got "${value}")`);
    return value;
  }

  integer(name: string, min: number, max: number): number {
    const raw = this.read(name) ?? '';
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problem(`${name}: must be a whole number from ${min} to ${max} (got "${raw}")`);
    }
    return value;
  }

  url(name: string, protocols: string[], sensitive = false): string | undefined {
    const value = this.read(name);
    if (value === undefined) return undefined;
    let ok = false;
    try {
      ok = protocols.includes(new URL(value).protocol.replace(/:$/, ''));
    } catch {
      ok = false;
    }
    if (!ok) {
      const shown = sensitive ? 'the value is not shown' : `got "${value}"`;
      this.problem(
        `${name}: must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')} (${shown})`,
      );
    }
    return value;
  }

  /** `true` or `false`, or null when the variable is unset. */
  flag(name: string): boolean | null {
    const value = this.read(name);
    if (value === undefined) return null;
    if (value !== 'true' && value !== 'false')
      this.problem(`${name}: must be true or false (got "${value}")`);
    return value === 'true';
  }

  /** An email address, or null when the variable is unset (and has no default). */
  email(name: string): string | null {
    const value = this.read(name) ?? null;
    if (value !== null && !isEmail(value)) this.problem(`${name}: must be an email address (got "${value}")`);
    return value;
  }
}

function readServer(reader: EnvReader) {
  const databaseUrl = reader.url('DATABASE_URL', ['postgres', 'postgresql'], true);
  // Read whichever the database, so a bad value is refused before the day DATABASE_URL is set.
  const timeouts: PostgresTimeouts = {
    connectTimeoutMs: reader.integer('PG_CONNECT_TIMEOUT_MS', 100, 600_000),
    statementTimeoutMs: reader.integer('PG_STATEMENT_TIMEOUT_MS', 0, 24 * 60 * 60_000),
    bulkStatementTimeoutMs: reader.integer('PG_BULK_STATEMENT_TIMEOUT_MS', 0, 24 * 60 * 60_000),
  };
  const { statementTimeoutMs: ordinary, bulkStatementTimeoutMs: bulk } = timeouts;
  if (ordinary > 0 && bulk > 0 && bulk < ordinary) {
    reader.problem(
      `PG_BULK_STATEMENT_TIMEOUT_MS: must be 0 or at least PG_STATEMENT_TIMEOUT_MS (${ordinary}) (got "${bulk}")`,
    );
  }
  const database: DatabaseConfig = databaseUrl
    ? { kind: 'postgres', url: databaseUrl, ...timeouts }
    : { kind: 'pglite', dataDir: reader.read('DATA_DIR') ?? './data' };
  const adminApiKey = reader.read('ADMIN_API_KEY');
  if (adminApiKey !== undefined && adminApiKey.length < 32) {
    reader.problem('ADMIN_API_KEY: must be at least 32 characters (the value is not shown)');
  }
  return {
    role: reader.oneOf('ROLE', ROLES),
    port: reader.integer('PORT', 1, 65535),
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS),
    database,
    redisUrl: reader.url('REDIS_URL', ['redis', 'rediss'], true),
    adminApiKey,
    shutdownTimeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', 0, 600_000),
    bodyLimitBytes: reader.integer('BODY_LIMIT', 1024, 512 * 1024 * 1024),
    bulkBodyLimitBytes: reader.integer('BULK_BODY_LIMIT', 1024, 1024 * 1024 * 1024),
  } satisfies Partial<AppConfig>;
}

/** Who sends the notices and the reports, and where their deadlines are watched from. */
function readOrganization(reader: EnvReader) {
  const publicBaseUrl = reader.read('PUBLIC_BASE_URL') ?? '';
  if (!isURL(publicBaseUrl, { protocols: ['http', 'https'], require_tld: false, require_protocol: true })) {
    reader.problem(`PUBLIC_BASE_URL: must be an http(s) URL (got "${publicBaseUrl}")`);
  }
  const organizationName = reader.read('ORGANIZATION_NAME') ?? '';
  if (organizationName.length > 200) reader.problem('ORGANIZATION_NAME: must be at most 200 characters');
  const dpoContact = reader.read('DPO_CONTACT') ?? null;
  if (dpoContact && dpoContact.length > 500) reader.problem('DPO_CONTACT: must be at most 500 characters');
  // Whether it is an EU/EEA country is the rules' to say (jurisdictions/main-establishment.check.ts).
  const euMainEstablishment = reader.read('EU_MAIN_ESTABLISHMENT') ?? null;
  if (euMainEstablishment && !/^[A-Z]{2}$/.test(euMainEstablishment)) {
    reader.problem(
      `EU_MAIN_ESTABLISHMENT: must be a country code of two capital letters such as IE or DE (got "${euMainEstablishment}")`,
    );
  }
  // Which Land has an authority is the rules' to say (jurisdictions/german-land.check.ts).
  const germanLand = reader.read('GERMAN_LAND') ?? null;
  if (germanLand && !/^(DE-[A-Z]{2}|BFDI)$/.test(germanLand)) {
    reader.problem(
      `GERMAN_LAND: must be a German Land as ISO 3166-2 such as DE-BY or DE-NW, or BFDI (got "${germanLand}")`,
    );
  }
  const postalAddress = reader.read('POSTAL_ADDRESS') ?? null;
  if (postalAddress && postalAddress.length > 500)
    reader.problem('POSTAL_ADDRESS: must be at most 500 characters');
  return {
    publicBaseUrl: publicBaseUrl.replace(/\/+$/, ''),
    organizationName,
    privacyContactEmail: reader.email('PRIVACY_CONTACT_EMAIL') ?? '',
    dpoContact,
    euMainEstablishment,
    germanLand,
    postalAddress,
    accountPayments: reader.flag('ACCOUNT_PAYMENTS'),
    esignConsent: reader.oneOf('ESIGN_CONSENT', ['none', 'all'] as const),
    writtenSecurityProgram: reader.flag('WRITTEN_SECURITY_PROGRAM'),
    obligationAlertEmail: reader.email('OBLIGATION_ALERT_EMAIL'),
    obligationAlertLeadMs: reader.integer('OBLIGATION_ALERT_LEAD_HOURS', 0, 24 * 365) * 60 * 60_000,
    noticePageMs: reader.integer('NOTICE_PAGE_DAYS', 1, 3650) * 24 * 60 * 60_000,
    noticePageKeepMs: reader.integer('NOTICE_PAGE_KEEP_SECONDS', 0, 3600) * 1000,
    noticePageRateLimit: reader.integer('NOTICE_PAGE_RATE_LIMIT', 1, 1_000_000),
  } satisfies Partial<AppConfig>;
}

/** The directory: its categories, imports, keys and ages of consent. */
function readDirectory(reader: EnvReader, database: DatabaseConfig) {
  const extra = (reader.read('EXTRA_DATA_CATEGORIES') ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  for (const category of extra) {
    if (!CATEGORY_PATTERN.test(category)) {
      reader.problem(`EXTRA_DATA_CATEGORIES: "${category}" must be lower_snake_case (a-z, 0-9, _)`);
    }
  }
  const keys = reader.read('ENCRYPTION_KEYS');
  const hashKey = reader.read('HASH_KEY');
  const encryption = readEncryption(keys, hashKey, reader.problems);
  if (database.kind === 'postgres' && keys === undefined && hashKey === undefined) {
    reader.problem(
      'ENCRYPTION_KEYS: required when DATABASE_URL is set (and HASH_KEY); make them with `node dist/cli.js secrets:generate`',
    );
  }
  return {
    dataCategories: [...new Set([...DEFAULT_DATA_CATEGORIES, ...extra])],
    importMaxBytes: reader.integer('IMPORT_MAX_BYTES', 1024, 1024 ** 4),
    // One per core: on two cores, two threads beside the main thread and a local PostgreSQL imported a
    // million people in 44-52 s against 48-65 s with one (bench:directory), for about 30 MB more.
    importThreads:
      reader.read('IMPORT_THREADS') === 'auto'
        ? availableParallelism()
        : reader.integer('IMPORT_THREADS', 0, 64),
    encryption,
    minorAgeDefault: reader.integer('MINOR_AGE_DEFAULT', 1, 25),
    minorAges: readMinorAges(reader),
  } satisfies Partial<AppConfig>;
}

function readMinorAges(reader: EnvReader): Record<string, number> {
  const minorAges: Record<string, number> = {};
  for (const entry of (reader.read('MINOR_AGES') ?? '').split(',').filter((e) => e.trim() !== '')) {
    const match = /^\s*([A-Z]{2}(?:-[A-Z0-9]{1,3})?)\s*=\s*(\d{1,2})\s*$/.exec(entry);
    if (!match?.[1] || !match[2]) {
      reader.problem(`MINOR_AGES: "${entry.trim()}" must look like DE=16 or US-CA=13`);
      continue;
    }
    minorAges[match[1]] = Number(match[2]);
  }
  return minorAges;
}

/** The send path: providers, rates, leases, and how long the local outbox keeps what it holds. */
function readSending(reader: EnvReader) {
  return {
    // Segments: a sender of a thousand SMS a second of ten segments each is 10,000.
    smsMaxPerSecond: reader.integer('TWILIO_MAX_PER_SECOND', 1, 100_000),
    deliveryLeaseMs: reader.integer('DELIVERY_LEASE_MS', 1_000, 24 * 60 * 60_000),
    outboxRetentionMs: reader.integer('OUTBOX_RETENTION_DAYS', 0, 3650) * 24 * 60 * 60_000,
    sendgrid: readSendGrid(reader),
    sendgridWebhookPublicKey: reader.read('SENDGRID_WEBHOOK_PUBLIC_KEY'),
    twilio: readTwilio(reader),
    fcm: readFcm(reader),
  } satisfies Partial<AppConfig>;
}

function readSendGrid(reader: EnvReader): SendGridConfig | undefined {
  const apiKey = reader.read('SENDGRID_API_KEY');
  const baseUrl = reader.url('SENDGRID_BASE_URL', ['http', 'https']) ?? 'https://api.sendgrid.com';
  if (apiKey === undefined) return undefined;
  const from = reader.read('SENDGRID_FROM');
  if (!from || !isEmail(from)) {
    reader.problem(
      `SENDGRID_FROM: must be an email address when SENDGRID_API_KEY is set (got "${from ?? ''}")`,
    );
  }
  return { apiKey, from: from ?? '', baseUrl: baseUrl.replace(/\/+$/, '') };
}

function readTwilio(reader: EnvReader): TwilioConfig | undefined {
  const accountSid = reader.read('TWILIO_ACCOUNT_SID');
  const authToken = reader.read('TWILIO_AUTH_TOKEN');
  const baseUrl = reader.url('TWILIO_BASE_URL', ['http', 'https']) ?? 'https://api.twilio.com';
  if (accountSid === undefined && authToken === undefined) return undefined;
  if (!accountSid || !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    reader.problem('TWILIO_ACCOUNT_SID: must be AC followed by 32 hex digits');
  }
  if (!authToken) reader.problem('TWILIO_AUTH_TOKEN: required with TWILIO_ACCOUNT_SID');
  const from = reader.read('TWILIO_FROM');
  const messagingServiceSid = reader.read('TWILIO_MESSAGING_SERVICE_SID');
  if (!from && !messagingServiceSid) {
    reader.problem(
      'TWILIO_FROM: a sender number, or TWILIO_MESSAGING_SERVICE_SID, is required with TWILIO_ACCOUNT_SID',
    );
  }
  return {
    accountSid: accountSid ?? '',
    authToken: authToken ?? '',
    from,
    messagingServiceSid,
    baseUrl: baseUrl.replace(/\/+$/, ''),
  };
}

function readFcm(reader: EnvReader): FcmConfig | undefined {
  const projectId = reader.read('FCM_PROJECT_ID');
  const baseUrl = reader.url('FCM_BASE_URL', ['http', 'https']);
  if (projectId === undefined) return undefined;
  const rawAccount = reader.read('FCM_SERVICE_ACCOUNT');
  const accessToken = reader.read('FCM_ACCESS_TOKEN');
  let serviceAccount: Record<string, unknown> | undefined;
  if (rawAccount !== undefined) {
    try {
      const json = rawAccount.startsWith('{') ? rawAccount : readFileSync(rawAccount, 'utf8');
      serviceAccount = JSON.parse(json) as Record<string, unknown>;
    } catch {
      reader.problem(
        'FCM_SERVICE_ACCOUNT: must be a service account JSON, or the path of one (the value is not shown)',
      );
    }
  }
  if (!serviceAccount && !accessToken) {
    reader.problem('FCM_SERVICE_ACCOUNT: required with FCM_PROJECT_ID (or FCM_ACCESS_TOKEN)');
  }
  return {
    projectId,
    serviceAccount,
    accessToken,
    baseUrl: baseUrl?.replace(/\/+$/, ''),
  };
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses ENCRYPTION_KEYS and HASH_KEY; problems never quote a key. */
function readEncryption(
  keysValue: string | undefined,
  hashValue: string | undefined,
  problems: string[],
): EncryptionConfig | undefined {
  if (keysValue === undefined && hashValue === undefined) return undefined;
  const keys: Array<{ id: string; key: Buffer }> = [];
  for (const [index, entry] of (keysValue ?? '').split(',').entries()) {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon).trim();
    const key = Buffer.from(entry.slice(colon + 1).trim(), 'base64');
    if (colon < 0 || !KEY_ID.test(id) || key.length !== 32) {
      problems.push(
        `ENCRYPTION_KEYS: entry ${index + 1} must be id:base64 with an id of letters, digits, _ or - and a 32-byte key (the value is not shown)`,
      );
    } else if (keys.some((k) => k.id === id)) {
      problems.push(`ENCRYPTION_KEYS: key id "${id}" appears twice`);
    } else {
      keys.push({ id, key });
    }
  }
  if (keysValue === undefined) problems.push('ENCRYPTION_KEYS: required when HASH_KEY is set');
  const hashKey = Buffer.from(hashValue ?? '', 'base64');
  if (hashKey.length !== 32) {
    problems.push('HASH_KEY: must be base64 of 32 bytes, set with ENCRYPTION_KEYS (the value is not shown)');
  }
  return keys.length > 0 && hashKey.length === 32 ? { keys, hashKey } : undefined;
}
