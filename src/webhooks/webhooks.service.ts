import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { DeliveryService } from '../notifications/delivery.service.js';
import { JobRepository } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName } from '../queue/queue.catalogue.js';
import { sendgridKey, verifySendGrid, verifyTwilio } from './webhook.signatures.js';
import { NewWebhookEvent, WebhookEventRow, WebhooksRepository } from './webhooks.repository.js';

/** SendGrid events that end a message's journey; the rest (processed, deferred, open, click) are kept only. */
const SENDGRID_OUTCOME: Record<string, 'delivered' | 'failed'> = {
  delivered: 'delivered',
  bounce: 'failed',
  dropped: 'failed',
};
const TWILIO_OUTCOME: Record<string, 'delivered' | 'failed'> = {
  delivered: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
};
const MAX_EVENTS = 10_000;
const PROCESS_CHUNK = 500;
/**
 * An event can come back before its send is recorded: a job records its batch once every message of it
 * has left (200 SMS take seconds), and a delivery receipt may be quicker. Such an event waits, looked
 * at again every WAIT_MS, for at most GIVE_UP_MS after it came (a send never recorded: its worker died,
 * and the batch went out again under another id).
 */
const WAIT_MS = 15_000;
const GIVE_UP_MS = 60 * 60_000;

interface SendGridEvent {
  event?: unknown;
  sg_event_id?: unknown;
  sg_message_id?: unknown;
  message_id?: unknown;
  timestamp?: unknown;
  type?: unknown;
  status?: unknown;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.length <= 200 ? v : null);

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);
  private readonly sendgridKey?: KeyObject;
  private kicking?: Promise<void>;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly deliveries: DeliveryService,
    private readonly jobs: JobRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    if (config.sendgridWebhookPublicKey) this.sendgridKey = sendgridKey(config.sendgridWebhookPublicKey);
  }

  /** Verifies SendGrid's signature on the raw body, stores the events (no addresses), queues their processing. */
  async receiveSendGrid(
    rawBody: Buffer | undefined,
    signature?: string,
    timestamp?: string,
  ): Promise<number> {
    if (!this.sendgridKey) throw this.refuse('sendgrid', 'no SENDGRID_WEBHOOK_PUBLIC_KEY is configured');
    const body = rawBody ?? Buffer.alloc(0);
    const verdict = verifySendGrid(
      this.sendgridKey,
      body,
      signature,
      timestamp,
      Math.floor(this.clock.now().getTime() / 1000),
    );
    if (!verdict.ok) throw this.refuse('sendgrid', verdict.reason);
    let events: SendGridEvent[];
    try {
      events = JSON.parse(body.toString('utf8')) as SendGridEvent[];
    } catch {
      throw AppError.invalid([
        { field: 'body', rule: 'isJson', message: 'body must be a JSON array of events' },
      ]);
    }
    if (!Array.isArray(events) || events.length > MAX_EVENTS) {
      throw AppError.invalid([
        {
          field: 'body',
          rule: 'isEventArray',
          message: `body must be an array of at most ${MAX_EVENTS} events`,
        },
      ]);
    }
    const now = this.clock.now();
    // Signed, so SendGrid's: anything in the array that is not an event object is skipped.
    const objects = events.filter((e): e is SendGridEvent => typeof e === 'object' && e !== null);
    const rows: NewWebhookEvent[] = objects.map((e) => ({
      provider: 'sendgrid',
      eventKey: text(e.sg_event_id) ?? createHash('sha256').update(JSON.stringify(e)).digest('base64url'),
      event: text(e.event) ?? 'unknown',
      messageId:
        typeof e.message_id === 'string' && /^\d{1,15}$/.test(e.message_id) ? Number(e.message_id) : null,
      providerRef: text(e.sg_message_id)?.split('.')[0] ?? null,
      // The bounce type and SMTP status: never the reason text, which quotes addresses.
      code: [text(e.type), text(e.status)].filter(Boolean).join(' ') || null,
      occurredAt: typeof e.timestamp === 'number' ? new Date(e.timestamp * 1000) : null,
      receivedAt: now,
    }));
    const stored = await this.repository.store(rows);
    this.kick();
    return stored;
  }

  /**
   * Verifies X-Twilio-Signature against the public address Twilio called (the configured base, not the
   * one a proxy passed on), stores the status change, queues it.
   */
  async receiveTwilio(path: string, params: Record<string, string>, signature?: string): Promise<number> {
    const twilio = this.config.twilio;
    if (!twilio) throw this.refuse('twilio', 'Twilio is not configured');
    const url = `${this.config.publicBaseUrl}${path}`;
    const verdict = verifyTwilio(twilio.authToken, url, params, signature);
    if (!verdict.ok) throw this.refuse('twilio', verdict.reason);
    const sid = params.MessageSid;
    const status = params.MessageStatus;
    if (!sid || !status) {
      throw AppError.invalid([
        { field: 'MessageSid', rule: 'isPresent', message: 'MessageSid and MessageStatus are required' },
      ]);
    }
    const messageId = /[?&]message=(\d{1,15})(?:&|$)/.exec(path)?.[1];
    const stored = await this.repository.store([
      {
        provider: 'twilio',
        eventKey: `${sid}:${status}`,
        event: status,
        messageId: messageId ? Number(messageId) : null,
        providerRef: sid,
        code: params.ErrorCode ? `twilio_${params.ErrorCode}` : null,
        occurredAt: null,
        receivedAt: this.clock.now(),
      },
    ]);
    this.kick();
    return stored;
  }

  /** Applies stored events in arrival order, a chunk at a time, until none is left. */
  @OnJob(JobName.WebhooksProcess)
  async process(): Promise<Record<string, number>> {
    let applied = 0;
    let waiting = 0;
    for (;;) {
      const events = await this.repository.pending(PROCESS_CHUNK, this.clock.now());
      if (events.length === 0) break;
      const waited = await this.apply(events);
      applied += events.length - waited;
      waiting += waited;
    }
    return { applied, waiting };
  }

  /** Applies what it can of `events`; returns how many wait for their send to be recorded. */
  private async apply(events: WebhookEventRow[]): Promise<number> {
    const now = this.clock.now();
    const messages = await this.repository.messages(
      events.map((e) => e.messageId).filter((id): id is number => id !== null),
    );
    const byId = new Map(messages.map((m) => [m.id, m]));
    const outcomes: Array<{ id: number; outcome: string }> = [];
    const changes: Array<{
      messageId: number;
      campaignId: string;
      kind: 'delivered' | 'failed';
      code: string;
    }> = [];
    const early: number[] = [];
    for (const event of events) {
      const kind = (event.provider === 'sendgrid' ? SENDGRID_OUTCOME : TWILIO_OUTCOME)[event.event];
      const message = byId.get(event.messageId ?? -1);
      // An event must name our message and what the provider called it (the SID, the request's id).
      const channel = event.provider === 'sendgrid' ? 'email' : 'sms';
      const ours = message?.channel === channel;
      const matches = ours && message.providerRef === event.providerRef;
      // Ours, with no provider id, still queued (or cancelled while on the wire): its job has not recorded
      // the send yet.
      const unrecorded =
        ours &&
        message.providerRef === null &&
        (message.status === 'queued' || message.status === 'cancelled');
      if (!kind) outcomes.push({ id: event.id, outcome: 'ignored' });
      else if (unrecorded && now.getTime() - event.receivedAt.getTime() < GIVE_UP_MS) early.push(event.id);
      else if (!message || !matches) outcomes.push({ id: event.id, outcome: 'unknown_message' });
      else {
        changes.push({
          messageId: message.id,
          campaignId: message.campaignId,
          kind,
          code: event.code ?? event.event,
        });
        outcomes.push({ id: event.id, outcome: kind });
      }
    }
    await this.deliveries.applyEvents(changes);
    await this.repository.done(outcomes, now);
    await this.repository.wait(early, new Date(now.getTime() + WAIT_MS));
    return early.length;
  }

  /**
   * Queues the processing, without making the provider wait for it: with Redis away, adding a job waits
   * for its return, and the answer must not (the events are stored; the 15 s schedule applies them). One
   * add at a time: the one in flight queues the processing of everything stored meanwhile.
   */
  private kick(): void {
    if (this.kicking) return;
    // One job at a time, gone when done so that the next event can queue it again.
    const once = { jobId: 'webhooks-process', removeOnComplete: true, removeOnFail: true };
    this.kicking = this.jobs
      .add(JobName.WebhooksProcess, {}, once)
      .then(
        () => undefined,
        (err: Error) => this.logger.warn(`webhook processing not queued: ${err.message}`),
      )
      .finally(() => (this.kicking = undefined));
  }

  private refuse(provider: string, reason: string): AppError {
    this.logger.warn({ provider, reason }, 'webhook refused');
    return new AppError(ErrorCode.Forbidden, `webhook refused: ${reason}`);
  }
}
