import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isEmail, isURL } from 'class-validator';
import { DEFAULT_DATA_CATEGORIES } from '../common/data-categories.js';
import { EEA_COUNTRIES } from '../jurisdictions/rules/index.js';
import { englishSmsProblem, NoticeRenderer } from '../templates/notice.renderer.js';

/** What this process does: serve the API, run queue workers, or both (the default). */
export type Role = 'api' | 'worker' | 'all';
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
  /** Every FCM request goes to this address instead (tests, proxies); implies the HTTP/1.1 transport. */
  baseUrl: string | undefined;
  legacyHttp: boolean;
}

export type DatabaseConfig = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

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
  /** SMS the sender may send per second, across all worker processes. */
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
  /** Where deadline alerts are emailed; null: alerts go to the audit log, the timeline and metrics only. */
  readonly obligationAlertEmail!: string | null;
  /** How long before an obligation falls due its "due soon" alert fires. */
  readonly obligationAlertLeadMs!: number;
  /** How long the local outbox keeps a message; 0: no limit. */
  readonly outboxRetentionMs!: number;

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
    description:
      'The company that sends the notices; with PUBLIC_BASE_URL and PRIVACY_CONTACT_EMAIL, short enough for a two-segment English SMS',
    default: 'Example Organization',
  },
  {
    name: 'PRIVACY_CONTACT_EMAIL',
    description: 'Where affected people can reach the company',
    default: 'privacy@example.com',
  },
  {
    name: 'DPO_CONTACT',
    description:
      'The DPO or contact point named in regulator reports (name, email, phone); unset: the privacy contact',
  },
  {
    name: 'EU_MAIN_ESTABLISHMENT',
    description:
      "EU/EEA country (ISO code) of the company's main establishment: its authority leads for all EU residents; unset: each authority where affected people live",
  },
  {
    name: 'OBLIGATION_ALERT_EMAIL',
    description:
      'Where deadline alerts are emailed (through the email channel); unset: audit, timeline and metrics only',
  },
  {
    name: 'OBLIGATION_ALERT_LEAD_HOURS',
    description: 'Hours before an obligation falls due that its "due soon" alert fires',
    default: '24',
  },
  {
    name: 'OUTBOX_RETENTION_DAYS',
    description:
      'Days the local outbox keeps a rendered message (they hold names and addresses, sealed); 0: kept until deleted by hand',
    default: '30',
  },
  {
    name: 'SENDGRID_API_KEY',
    description: 'SendGrid API key; unset: emails go to the local outbox (GET /v1/outbox)',
    sensitive: true,
  },
  { name: 'SENDGRID_FROM', description: 'Sender address of the notices (required with SENDGRID_API_KEY)' },
  {
    name: 'SENDGRID_BASE_URL',
    description: 'SendGrid API address (tests and proxies)',
    default: 'https://api.sendgrid.com',
  },
  {
    name: 'SENDGRID_WEBHOOK_PUBLIC_KEY',
    description:
      "Verification key of SendGrid's signed Event Webhook (base64 or PEM); unset: its posts are refused",
  },
  { name: 'TWILIO_ACCOUNT_SID', description: 'Twilio account SID; unset: SMS go to the local outbox' },
  {
    name: 'TWILIO_AUTH_TOKEN',
    description: 'Twilio auth token (also verifies status callbacks)',
    sensitive: true,
  },
  { name: 'TWILIO_FROM', description: 'Sender number (E.164); or TWILIO_MESSAGING_SERVICE_SID' },
  { name: 'TWILIO_MESSAGING_SERVICE_SID', description: 'Messaging service that picks the sender' },
  {
    name: 'TWILIO_BASE_URL',
    description: 'Twilio API address (tests and proxies; a path is kept in front of the API paths)',
    default: 'https://api.twilio.com',
  },
  {
    name: 'FCM_PROJECT_ID',
    description: 'Firebase project of the push alerts; unset: they go to the local outbox',
  },
  {
    name: 'FCM_SERVICE_ACCOUNT',
    description: 'Service account of FCM: a path to its JSON file, or the JSON itself',
    sensitive: true,
  },
  {
    name: 'FCM_ACCESS_TOKEN',
    description: 'A ready OAuth access token for FCM (tests; deployments that mint tokens elsewhere)',
    sensitive: true,
  },
  {
    name: 'FCM_BASE_URL',
    description: 'Send every FCM request to this address (tests, proxies); implies FCM_LEGACY_HTTP',
  },
  {
    name: 'FCM_LEGACY_HTTP',
    description: "`true`: FCM over HTTP/1.1 instead of HTTP/2 (the SDK's HTTP/2 ignores the agent)",
    default: 'false',
  },
  {
    name: 'DELIVERY_LEASE_MS',
    description: 'How long a send job owns its claimed messages before the reconciler gives them to another',
    default: '300000',
  },
  {
    name: 'TWILIO_MAX_PER_SECOND',
    description:
      'SMS per second the sender may send, held across all worker processes (a US long code: 1; toll-free: 3; short code: 100)',
    default: '10',
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
  {
    name: 'BULK_BODY_LIMIT',
    description: 'Largest body of `POST /v1/subjects/bulk` in bytes',
    default: '16777216',
  },
  {
    name: 'IMPORT_MAX_BYTES',
    description: 'Largest streamed import file (NDJSON or CSV) in bytes',
    default: '4294967296',
  },
  {
    name: 'IMPORT_THREADS',
    description: 'Worker threads that validate and encrypt imported rows (`auto`: one per core; 0: none)',
    default: 'auto',
  },
  {
    name: 'ENCRYPTION_KEYS',
    description:
      'Field-encryption keys as `id:base64-of-32-bytes`, comma-separated; the first encrypts, all decrypt. Required with DATABASE_URL; unset in embedded mode: generated once into DATA_DIR/secrets.json',
    sensitive: true,
  },
  {
    name: 'HASH_KEY',
    description:
      'Key (base64 of 32 bytes) of the keyed hashes of emails and phones; required with ENCRYPTION_KEYS',
    sensitive: true,
  },
  {
    name: 'MINOR_AGE_DEFAULT',
    description: 'Age of digital consent where the table has no entry (the privacy policy says 14)',
    default: '14',
  },
  {
    name: 'MINOR_AGES',
    description:
      'Ages of digital consent per jurisdiction, e.g. `DE=16,US-CA=13`, overriding the built-in table',
  },
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
  } else if (organizationName.length <= 200 && !problems.some((p) => p.startsWith('PUBLIC_BASE_URL'))) {
    // The English SMS notice fits two segments: the name, the address and the email are what vary in it.
    const sms = englishSmsProblem(
      new NoticeRenderer(),
      organizationName,
      publicBaseUrl.replace(/\/+$/, ''),
      privacyContactEmail,
    );
    if (sms) problems.push(`ORGANIZATION_NAME, PUBLIC_BASE_URL, PRIVACY_CONTACT_EMAIL: ${sms}`);
  }

  const dpoContact = read('DPO_CONTACT') ?? null;
  if (dpoContact && dpoContact.length > 500) problems.push('DPO_CONTACT: must be at most 500 characters');
  const euMainEstablishment = read('EU_MAIN_ESTABLISHMENT') ?? null;
  if (euMainEstablishment && !EEA_COUNTRIES.includes(euMainEstablishment)) {
    problems.push(
      `EU_MAIN_ESTABLISHMENT: must be an EU/EEA country code such as IE or DE (got "${euMainEstablishment}")`,
    );
  }
  const obligationAlertEmail = read('OBLIGATION_ALERT_EMAIL') ?? null;
  if (obligationAlertEmail && !isEmail(obligationAlertEmail)) {
    problems.push(`OBLIGATION_ALERT_EMAIL: must be an email address (got "${obligationAlertEmail}")`);
  }
  const obligationAlertLeadMs = integer('OBLIGATION_ALERT_LEAD_HOURS', 0, 24 * 365) * 60 * 60_000;
  const outboxRetentionMs = integer('OUTBOX_RETENTION_DAYS', 0, 3650) * 24 * 60 * 60_000;

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
  const bulkBodyLimitBytes = integer('BULK_BODY_LIMIT', 1024, 1024 * 1024 * 1024);
  const importMaxBytes = integer('IMPORT_MAX_BYTES', 1024, 1024 ** 4);
  // One per core: on two cores, two threads beside the main thread and a local PostgreSQL imported a
  // million people in 44-52 s against 48-65 s with one (bench:directory), for about 30 MB more.
  const importThreads =
    read('IMPORT_THREADS') === 'auto' ? availableParallelism() : integer('IMPORT_THREADS', 0, 64);

  const encryption = readEncryption(read('ENCRYPTION_KEYS'), read('HASH_KEY'), problems);
  if (databaseUrl && read('ENCRYPTION_KEYS') === undefined && read('HASH_KEY') === undefined) {
    problems.push(
      'ENCRYPTION_KEYS: required when DATABASE_URL is set (and HASH_KEY); make them with `node dist/cli.js secrets:generate`',
    );
  }
  const minorAgeDefault = integer('MINOR_AGE_DEFAULT', 1, 25);
  const minorAges: Record<string, number> = {};
  for (const entry of (read('MINOR_AGES') ?? '').split(',').filter((e) => e.trim() !== '')) {
    const match = /^\s*([A-Z]{2}(?:-[A-Z0-9]{1,3})?)\s*=\s*(\d{1,2})\s*$/.exec(entry);
    if (!match?.[1] || !match[2]) {
      problems.push(`MINOR_AGES: "${entry.trim()}" must look like DE=16 or US-CA=13`);
      continue;
    }
    minorAges[match[1]] = Number(match[2]);
  }

  const smsMaxPerSecond = integer('TWILIO_MAX_PER_SECOND', 1, 10_000);
  const deliveryLeaseMs = integer('DELIVERY_LEASE_MS', 1_000, 24 * 60 * 60_000);
  const sendgrid = readSendGrid(read, url, problems);
  const twilio = readTwilio(read, url, problems);
  const fcm = readFcm(read, url, problems);

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
    bulkBodyLimitBytes,
    importMaxBytes,
    importThreads,
    encryption,
    minorAgeDefault,
    minorAges,
    smsMaxPerSecond,
    sendgrid,
    sendgridWebhookPublicKey: read('SENDGRID_WEBHOOK_PUBLIC_KEY'),
    twilio,
    fcm,
    deliveryLeaseMs,
    dpoContact,
    euMainEstablishment,
    obligationAlertEmail,
    obligationAlertLeadMs,
    outboxRetentionMs,
  });
}

type Read = (name: string) => string | undefined;
type ReadUrl = (name: string, protocols: string[]) => string | undefined;

function readSendGrid(read: Read, url: ReadUrl, problems: string[]): SendGridConfig | undefined {
  const apiKey = read('SENDGRID_API_KEY');
  const baseUrl = url('SENDGRID_BASE_URL', ['http', 'https']) ?? 'https://api.sendgrid.com';
  if (apiKey === undefined) return undefined;
  const from = read('SENDGRID_FROM');
  if (!from || !isEmail(from)) {
    problems.push(
      `SENDGRID_FROM: must be an email address when SENDGRID_API_KEY is set (got "${from ?? ''}")`,
    );
  }
  return { apiKey, from: from ?? '', baseUrl: baseUrl.replace(/\/+$/, '') };
}

function readTwilio(read: Read, url: ReadUrl, problems: string[]): TwilioConfig | undefined {
  const accountSid = read('TWILIO_ACCOUNT_SID');
  const authToken = read('TWILIO_AUTH_TOKEN');
  const baseUrl = url('TWILIO_BASE_URL', ['http', 'https']) ?? 'https://api.twilio.com';
  if (accountSid === undefined && authToken === undefined) return undefined;
  if (!accountSid || !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    problems.push('TWILIO_ACCOUNT_SID: must be AC followed by 32 hex digits');
  }
  if (!authToken) problems.push('TWILIO_AUTH_TOKEN: required with TWILIO_ACCOUNT_SID');
  const from = read('TWILIO_FROM');
  const messagingServiceSid = read('TWILIO_MESSAGING_SERVICE_SID');
  if (!from && !messagingServiceSid) {
    problems.push(
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

function readFcm(read: Read, url: ReadUrl, problems: string[]): FcmConfig | undefined {
  const projectId = read('FCM_PROJECT_ID');
  const baseUrl = url('FCM_BASE_URL', ['http', 'https']);
  if (projectId === undefined) return undefined;
  const rawAccount = read('FCM_SERVICE_ACCOUNT');
  const accessToken = read('FCM_ACCESS_TOKEN');
  let serviceAccount: Record<string, unknown> | undefined;
  if (rawAccount !== undefined) {
    try {
      const json = rawAccount.startsWith('{') ? rawAccount : readFileSync(rawAccount, 'utf8');
      serviceAccount = JSON.parse(json) as Record<string, unknown>;
    } catch {
      problems.push(
        'FCM_SERVICE_ACCOUNT: must be a service account JSON, or the path of one (the value is not shown)',
      );
    }
  }
  if (!serviceAccount && !accessToken) {
    problems.push('FCM_SERVICE_ACCOUNT: required with FCM_PROJECT_ID (or FCM_ACCESS_TOKEN)');
  }
  const legacy = read('FCM_LEGACY_HTTP');
  if (legacy !== 'true' && legacy !== 'false')
    problems.push(`FCM_LEGACY_HTTP: must be true or false (got "${legacy}")`);
  return {
    projectId,
    serviceAccount,
    accessToken,
    baseUrl: baseUrl?.replace(/\/+$/, ''),
    legacyHttp: legacy === 'true' || baseUrl !== undefined,
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
