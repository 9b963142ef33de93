import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { AppModule } from './app.module.js';
import { authorize, bearerSecret } from './api-keys/auth.guard.js';
import { AppError, ErrorCode } from './common/errors.js';
import { LONE_SURROGATE } from './common/text.js';
import { Permission } from './common/permissions.js';
import { AppConfig } from './config/config.js';
import { REQUEST_MAX_MS } from './subjects/imports.service.js';
import { JobRepository } from './queue/job.repository.js';

export const QUEUE_DASHBOARD_PATH = '/queues';
const BULK_PATH = '/v1/subjects/bulk';

/**
 * Bodies the check below leaves alone: the bulk upsert refuses such a person alone, row by row (the
 * others are stored), and the providers' webhooks carry their own text (a bounce reason), never stored.
 */
const UNCHECKED_BODIES = /^\/v1\/(subjects\/bulk|webhooks\/)/i;

/**
 * The first string in a parsed body that text columns cannot keep as given: a NUL character, or a lone
 * surrogate (not well-formed UTF-16). Its field is named as the validation errors name fields. Walked
 * with a stack of its own: a deeply nested body is not a stack overflow.
 */
export function unstorableText(body: unknown): { field: string; rule: string; message: string } | undefined {
  const pending: Array<[unknown, string]> = [[body, '']];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      const field = path || 'body';
      if (value.includes('\u0000')) {
        return {
          field,
          rule: 'noNulCharacter',
          message: `${field} must not contain the NUL character (U+0000)`,
        };
      }
      if (LONE_SURROGATE.test(value)) {
        return {
          field,
          rule: 'wellFormedUnicode',
          message: `${field} must be well-formed Unicode (it holds a lone surrogate)`,
        };
      }
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i -= 1) pending.push([value[i], `${path}[${i}]`]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, inner] = entries[i];
        pending.push([inner, path ? `${path}.${key}` : key]);
      }
    }
  }
  return undefined;
}

/** Builds the application for a role, fully configured but not listening (tests use it as is). */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    // Webhook signatures are computed over the exact bytes received.
    rawBody: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // Node ends any request still arriving after 5 minutes: a large import takes longer. Import uploads
  // are cut off when silent instead (UPLOAD_IDLE_MS); headers still have Node's 60 s.
  const server: Server = app.getHttpServer();
  server.requestTimeout = REQUEST_MAX_MS;
  // Bulk upserts carry up to 10,000 people: their route alone gets the larger limit.
  app.use(BULK_PATH, express.json({ limit: config.bulkBodyLimitBytes }));
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  // Twilio's status callbacks are form posts; nowhere else is a form accepted (a form body elsewhere must
  // stay unparsed, to be refused as "not a JSON object").
  app.use('/v1/webhooks/twilio', express.urlencoded({ extended: false, limit: '64kb' }));
  // PostgreSQL stores no NUL in text (the insert failed with a 500), and a lone surrogate is stored as
  // U+FFFD: refused here, for every body, naming the field.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (UNCHECKED_BODIES.test(req.path)) return next();
    const problem = unstorableText(req.body);
    next(problem ? AppError.invalid([problem]) : undefined);
  });
  app.enableShutdownHooks();
  app.disable('x-powered-by');

  if (config.role === 'worker') {
    // A worker node answers its probes and scrapes only; the API lives on api nodes.
    app.use((req: Request, _res: Response, next: NextFunction) => {
      if (/^\/(health|metrics)(\/|$)/.test(req.path)) return next();
      next(new AppError(ErrorCode.NotFound, 'this node runs ROLE=worker: no API here'));
    });
  } else {
    SwaggerModule.setup('docs', app, buildOpenApi(app), { jsonDocumentUrl: 'docs-json' });
    mountQueueDashboard(app);
  }
  // init() also installs Nest's express error handler, which sends errors raised outside routes (body
  // parser, dashboard middleware) through the same global filter, so they share the JSON shape.
  await app.init();
  return app;
}

export function buildOpenApi(app: NestExpressApplication): OpenAPIObject {
  const document = new DocumentBuilder()
    .setTitle('Breach notification service')
    .setDescription(
      'Record personal-data breaches, find who is affected, notify them, and report to regulators. ' +
        'Every /v1 route needs `Authorization: Bearer <api key>`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, document);
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
  app.use(
    QUEUE_DASHBOARD_PATH,
    serverAdapter.getRouter() as (req: Request, res: Response, next: NextFunction) => void,
  );
}

function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) || undefined : undefined;
}

/** Start-up work after the app is built: the admin key, then the workers when this role runs them. */
export async function startRole(app: NestExpressApplication, config: AppConfig): Promise<void> {
  if (config.adminApiKey) await app.get(ApiKeysService).ensureAdminKey(config.adminApiKey);
  if (config.role !== 'api') await app.get(JobRepository).startWorkers();
}
