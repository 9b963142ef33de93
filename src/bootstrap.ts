import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { AppModule } from './app.module.js';
import { authorize, bearerSecret } from './api-keys/auth.guard.js';
import { AppError, ErrorCode } from './common/errors.js';
import { answerError } from './common/exception.filter.js';
import {
  originForm,
  refuseInvalidUtf8,
  refuseUnstorableInput,
  securityHeaders,
} from './common/http-hardening.js';
import { Permission } from './common/permissions.js';
import { AppConfig } from './config/config.js';
import { REQUEST_MAX_MS } from './subjects/imports.service.js';
import { JobRepository } from './queue/job.repository.js';
import { httpMetrics, observeAhead } from './metrics/http-metrics.middleware.js';
import { MetricsService } from './metrics/metrics.service.js';
import { Logger, withoutStartupChatter } from './logging.js';
import { documentErrors } from './common/openapi-errors.js';
import { noticePagesAhead, send } from './notice-pages/notice-pages.controller.js';
import { NoticePagesService } from './notice-pages/notice-pages.service.js';
import { PUBLIC_PATHS, publicPages } from './public-notices/public-pages.handler.js';
import { PublishedNotices } from './public-notices/published-notices.js';
import { PublicNoticeRenderer } from './templates/public-notice.renderer.js';

export const QUEUE_DASHBOARD_PATH = '/queues';
const BULK_PATH = '/v1/subjects/bulk';

/**
 * Builds the application for a role, fully configured but not listening (tests use it as is).
 * `shutdownHooks: false` leaves the signals to the caller (main.ts says what it does at SIGTERM).
 */
export async function createApp(
  config: AppConfig,
  options: { shutdownHooks?: boolean } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    // Webhook signatures are computed over the exact bytes received.
    rawBody: true,
    bodyParser: false,
  });
  app.useLogger(withoutStartupChatter(app.get(Logger)));
  // Node ends any request still arriving after 5 minutes: a large import takes longer. Import uploads
  // are cut off when silent instead (UPLOAD_IDLE_MS); headers still have Node's 60 s.
  const server: Server = app.getHttpServer();
  server.requestTimeout = REQUEST_MAX_MS;
  // First, so every answer is counted under its status and carries the headers, errors included.
  app.use(httpMetrics(app.get(MetricsService)));
  app.use(securityHeaders);
  // Bulk upserts carry up to 10,000 people: their route alone gets the larger limit.
  app.use(BULK_PATH, express.json({ limit: config.bulkBodyLimitBytes, verify: refuseInvalidUtf8 }));
  // As useBodyParser('json') does with `rawBody` (SendGrid's signature is over the raw body), with the
  // UTF-8 check its typings leave no room for (Nest keeps `verify` for the raw body).
  app.use(
    express.json({
      limit: config.bodyLimitBytes,
      verify: (req: Request & { rawBody?: Buffer }, res: Response, body: Buffer, encoding: string) => {
        req.rawBody = body;
        refuseInvalidUtf8(req, res, body, encoding);
      },
    }),
  );
  // Twilio's status callbacks are form posts, and "Was I affected?" below; nowhere else is a form
  // accepted (a form body elsewhere must stay unparsed, to be refused as "not a JSON object").
  app.use(
    '/v1/webhooks/twilio',
    express.urlencoded({ extended: false, limit: '64kb', verify: refuseInvalidUtf8 }),
  );
  // ...and "Was I affected?", the form on a public Security Notice (an address, a language: small).
  const lookupForm = express.urlencoded({ extended: false, limit: '4kb', verify: refuseInvalidUtf8 });
  app.use('/security-notices', (req: Request, res: Response, next: NextFunction) =>
    req.method === 'POST' && /^\/[^/]+\/lookup$/.test(req.path) ? lookupForm(req, res, next) : next(),
  );
  app.use(refuseUnstorableInput);
  if (options.shutdownHooks ?? true) app.enableShutdownHooks();
  app.disable('x-powered-by');

  if (config.role === 'worker') {
    // A worker node answers its probes and scrapes only; the API lives on api nodes.
    app.use((req: Request, _res: Response, next: NextFunction) => {
      if (/^\/(health|metrics)(\/|$)/.test(req.path)) return next();
      next(new AppError(ErrorCode.NotFound, 'this node runs ROLE=worker: no API here'));
    });
  } else if (config.role === 'public') {
    // The node operators expose to the internet: the public pages and /health, nothing of the admin API.
    app.use((req: Request, _res: Response, next: NextFunction) => {
      if (PUBLIC_PATHS.some((path) => path.test(req.path))) return next();
      next(new AppError(ErrorCode.NotFound, 'not found'));
    });
    guardNoticePaths(app);
  } else {
    guardNoticePaths(app);
    SwaggerModule.setup('docs', app, buildOpenApi(app), { jsonDocumentUrl: 'docs-json' });
    mountQueueDashboard(app);
  }
  // init() also installs Nest's express error handler, which sends errors raised outside routes (body
  // parser, dashboard middleware) through the same global filter, so they share the JSON shape.
  await app.init();
  const hooks = { observe: observeAhead(app.get(MetricsService)), failed: answerError };
  serveAhead(
    app,
    config.role === 'worker'
      ? []
      : [publicPagesAhead(app, config, hooks), noticePagesAhead(app.get(NoticePagesService), hooks)],
  );
  return app;
}

/** A listener that answers some requests itself (true) before Express and Nest see them. */
type Ahead = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The public pages, answered ahead of Express and Nest (see public-pages.handler.ts): a rush of readers
 * costs no middleware chain, no access-log line (they are counted in the metrics) and no router.
 */
function publicPagesAhead(
  app: NestExpressApplication,
  config: AppConfig,
  hooks: Parameters<typeof publicPages>[3],
): Ahead {
  return publicPages(
    app.get(PublishedNotices),
    app.get(PublicNoticeRenderer),
    { baseUrl: config.publicBaseUrl, organization: config.organizationName },
    hooks,
  );
}

/**
 * Puts the listeners ahead of the app's own on its HTTP server: a request none of them answers goes to
 * Express (and Nest) as before. Tests reach the same server, so they see what production serves. Every
 * request's target is made origin-form first (`originForm`), so the listeners, Express and the access
 * log all see `/n/<token>` for `GET http://host/n/<token>` (a worker's too, which has no listener here).
 */
function serveAhead(app: NestExpressApplication, listeners: Ahead[]): void {
  const server: Server = app.getHttpServer();
  const nest = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url !== undefined) req.url = originForm(req.url);
    for (const answer of listeners) if (answer(req, res)) return;
    for (const listener of nest) listener.call(server, req, res);
  });
}

export function buildOpenApi(app: NestExpressApplication): OpenAPIObject {
  const document = new DocumentBuilder()
    .setTitle('Breach notification service')
    .setDescription(
      'Record personal-data breaches, find who is affected, notify them, and report to regulators. ' +
        'Every /v1 route needs `Authorization: Bearer <api key>`.',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      // Not a JWT: nothing to decode, nothing signed; the service keeps only its SHA-256.
      bearerFormat: 'opaque API key',
      description:
        "An opaque API key (`bnk_...`), not a JWT: from `POST /v1/api-keys`, the first start's log, or ADMIN_API_KEY",
    })
    .build();
  return documentErrors(SwaggerModule.createDocument(app, document));
}

/**
 * A path under /n/ that is no token (a `%` that does not decode, a NUL, a slash more) answers as a wrong
 * token does, before the router tries to decode it (a 400 in JSON, or worse): one answer for every link
 * that opens nothing.
 */
function guardNoticePaths(app: NestExpressApplication): void {
  const pages = app.get(NoticePagesService);
  app.use('/n', (req: Request, res: Response, next: NextFunction) => {
    if (/^\/[A-Za-z0-9_-]{1,64}$/.test(req.path)) return next();
    send(res, pages.gone(req.headers['accept-language']), pages.contentSecurityPolicy);
  });
}

/** Bull Board, for admins: `Authorization: Bearer <key>`, or HTTP Basic with the key as password (browsers). */
function mountQueueDashboard(app: NestExpressApplication): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: app
      .get(JobRepository)
      .allQueues()
      .map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
  });
  const keys = app.get(ApiKeysService);
  app.use(QUEUE_DASHBOARD_PATH, (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', DASHBOARD_POLICY);
    const secret = bearerSecret(req.headers.authorization) ?? basicPassword(req.headers.authorization);
    authorize(keys, secret, req.ip, Permission.QueueDashboard).then(
      () => next(),
      (err: unknown) => {
        // Lets a browser ask for the key (as the Basic password).
        if (err instanceof AppError && err.code === ErrorCode.Unauthenticated) {
          res.setHeader('WWW-Authenticate', 'Basic realm="queues"');
        }
        next(err);
      },
    );
  });
  const dashboard = serverAdapter.getRouter() as express.Express;
  // Its own Express app, which says X-Powered-By unless told not to.
  dashboard.disable('x-powered-by');
  renderWithoutRemoteLinks(dashboard);
  app.use(QUEUE_DASHBOARD_PATH, dashboard);
}

/**
 * The dashboard's page, its calls and its assets come from this service, and nothing else may load: its
 * page linked Google Fonts, so opening it told Google who looked at the queues, and when (and waited on
 * Google where the network is closed). Inline styles stay allowed: the page and its components use them.
 */
const DASHBOARD_POLICY = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

type RenderEngine = (path: string, options: object, done: (err: Error | null, html?: string) => void) => void;

/**
 * Renders bull-board's page without the links it makes to other hosts (the Google Fonts stylesheet of
 * IBM Plex: its stylesheet falls back to the system's sans-serif and monospace fonts). Wraps the template
 * engine bull-board registers, so its page stays the one its release ships.
 */
function renderWithoutRemoteLinks(dashboard: express.Express): void {
  const ejs = (dashboard as unknown as { engines: Record<string, RenderEngine | undefined> }).engines['.ejs'];
  if (!ejs) throw new Error('bull-board no longer renders its page with ejs: check its remote links');
  dashboard.engine('ejs', (path, options, done) => {
    ejs(path, options, (err, html) =>
      done(err, html?.replace(/<link\b[^>]*\bhref="https?:\/\/[^"]*"[^>]*>\s*/gi, '')),
    );
  });
}

function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) || undefined : undefined;
}

/**
 * Start-up work after the app is built: the admin key (ADMIN_API_KEY's, or on a first start with no key at
 * all a setup key shown once in the log), then the workers when this role runs them.
 */
export async function startRole(app: NestExpressApplication, config: AppConfig): Promise<void> {
  const keys = app.get(ApiKeysService);
  if (config.adminApiKey) await keys.ensureAdminKey(config.adminApiKey);
  else if (config.role === 'api' || config.role === 'all') {
    // An API node, so that the key is in the log of the node whose /docs it opens (a public node has none).
    const first = await keys.createFirstKey();
    if (first) app.get(Logger).warn(firstKeyMessage(first, config), 'FirstStart');
  }
  if (config.role === 'worker' || config.role === 'all') await app.get(JobRepository).startWorkers();
}

/** The one time the setup key is shown: what it is, where the API is described, and what to do next. */
export function firstKeyMessage(first: { id: string; secret: string }, config: AppConfig): string {
  return [
    'No API key exists yet: a one-time admin setup key was made, shown here only this once.',
    `  key: ${first.secret}`,
    `  API docs: http://localhost:${config.port}/docs (Authorize with the key as a bearer key)`,
    '  Make a key for each person (POST /v1/api-keys, with their holder), then revoke this one:',
    `  DELETE /v1/api-keys/${first.id}. Or set ADMIN_API_KEY to a secret of your own.`,
  ].join('\n');
}
