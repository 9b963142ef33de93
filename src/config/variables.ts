export interface Variable {
  name: string;
  description: string;
  default?: string;
  /** Secrets are never printed, not even in error messages. */
  sensitive?: boolean;
}

/** Every variable the service reads, documented once; a test checks that README.md's table lists them all. */
export const VARIABLES: readonly Variable[] = [
  {
    name: 'ROLE',
    description:
      '`api`, `worker`, `all` or `public` (only the public Security Notice pages and /health, for the internet): which parts this process runs',
    default: 'all',
  },
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
    name: 'PG_CONNECT_TIMEOUT_MS',
    description:
      "With DATABASE_URL: how long opening a PostgreSQL connection (the queues' too, without REDIS_URL) may take before the request or job that wanted it fails",
    default: '10000',
  },
  {
    name: 'PG_STATEMENT_TIMEOUT_MS',
    description:
      "With DATABASE_URL: PostgreSQL cancels a statement that runs longer (waiting for a lock included; the queues' statements too, without REDIS_URL) and its request or job fails; 0: no limit of ours (the server's applies)",
    default: '60000',
  },
  {
    name: 'PG_BULK_STATEMENT_TIMEOUT_MS',
    description:
      "With DATABASE_URL: the same limit for the statements over every row that jobs and background work run (the migrations at start, freezing an affected set, planning a campaign, the obligations watch, the reconciler's sweeps, re-encryption); 0: no limit; never below PG_STATEMENT_TIMEOUT_MS",
    default: '1800000',
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
    name: 'GERMAN_LAND',
    description:
      "The German Land of the company's seat (ISO 3166-2, such as DE-BY): its data protection authority supervises the company (BDSG §40) and takes the reports for German residents; BFDI for a company the federal commissioner supervises (telecommunications, postal services). Required with EU_MAIN_ESTABLISHMENT=DE; unset otherwise: who takes German residents' reports is decided by hand",
  },
  {
    name: 'POSTAL_ADDRESS',
    description:
      "The company's postal address for regulators (Florida's report asks for the contact's), one line; unset: missing in the reports that ask for it",
  },
  {
    name: 'ACCOUNT_PAYMENTS',
    description:
      "`true` when the app's accounts can pay or send money (a payment function), `false` when not: leaked logins of such accounts are a risk of property damage under Japan's rules; unset: not known, so assumed",
  },
  {
    name: 'ESIGN_CONSENT',
    description:
      '`all` when every person in the directory consented to electronic notice as the E-SIGN Act asks (15 U.S.C. 7001(c)): email and SMS then count as the notice in the US states that accept electronic notice only so; `none`: not known, so they do not (the stricter reading) and those residents stay unreached',
    default: 'none',
  },
  {
    name: 'WRITTEN_SECURITY_PROGRAM',
    description:
      '`true` when the company maintains a written information security programme (Massachusetts asks in its report), `false` when not; unset: missing in that report',
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
    name: 'NOTICE_PAGE_DAYS',
    description:
      "Days a person's notice page (the link in their notice) answers after the notice went out; after, it answers as a wrong link does",
    default: '365',
  },
  {
    name: 'NOTICE_PAGE_KEEP_SECONDS',
    description:
      "Seconds a serving process keeps a person's notice page it rendered, in its memory only, for readers who open it again (an erasure, a cancel or an acknowledgement drops it at once); 0 keeps none",
    default: '10',
  },
  {
    name: 'NOTICE_PAGE_RATE_LIMIT',
    description:
      'Requests to personal notice pages and to "Was I affected?" per client address and minute (across nodes with REDIS_URL, per process without); more: 429 with Retry-After',
    default: '60',
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
    description: 'Send every FCM request to this address (tests, proxies)',
  },
  {
    name: 'DELIVERY_LEASE_MS',
    description:
      'How long a send job owns its claimed batch unless it renews it (every third of this while it works): a dead worker’s batch goes to another within this plus the reconciler’s 15 s',
    default: '30000',
  },
  {
    name: 'TWILIO_MAX_PER_SECOND',
    description:
      'SMS segments per second the sender may send, as Twilio counts its rate (MPS), held across all worker processes (a US long code: 1; toll-free: 3; short code: 100): an SMS that carries the notice has about ten segments and takes as many of the rate',
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
