import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FakeServer, json, type Recorded } from './fake-server.js';

export interface SentEmail {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  customArgs: Record<string, string>;
}

/**
 * SendGrid v3 Mail Send at the wire: Bearer key, up to 1000 personalizations, substitutions applied per
 * recipient as SendGrid does, 202 with X-Message-Id; errors in SendGrid's `{errors: [...]}` shape; 429
 * with X-RateLimit-Reset. Addresses in `invalid` get a 400 naming their personalization. It also signs
 * Event Webhook posts with its own key pair, as SendGrid does.
 */
export class SendGridFake extends FakeServer {
  /** The key it accepts; a test changes it to play a revoked key. */
  apiKey = `SG.fake-${randomBytes(8).toString('hex')}`;
  readonly sent: SentEmail[] = [];
  readonly invalid = new Set<string>();
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  /** Told of every accepted recipient (the fault harness posts their delivery events). */
  onAccepted?: (mail: { to: string; messageId: string; customArgs: Record<string, string> }) => void;

  constructor() {
    super((req, res) => this.mailSend(req, res), {
      serverError: (res, status) =>
        json(res, status, { errors: [{ message: 'Internal error', field: null }] }),
      rateLimited: (res, seconds) =>
        json(
          res,
          429,
          { errors: [{ message: 'too many requests', field: null }] },
          {
            'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + seconds),
          },
        ),
    });
  }

  /** The base64 DER public key, as SendGrid shows it in its settings. */
  get publicKey(): string {
    return this.keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }

  /** A signed Event Webhook post: the headers and the raw body. */
  signEvents(
    events: object[],
    timestamp = Math.floor(Date.now() / 1000),
  ): { headers: Record<string, string>; body: string } {
    const body = JSON.stringify(events);
    const signature = sign('sha256', Buffer.from(`${timestamp}${body}`), this.keys.privateKey).toString(
      'base64',
    );
    return {
      body,
      headers: {
        'Content-Type': 'application/json',
        'X-Twilio-Email-Event-Webhook-Signature': signature,
        'X-Twilio-Email-Event-Webhook-Timestamp': String(timestamp),
      },
    };
  }

  private mailSend(req: Recorded, res: ServerResponse): void {
    if (req.method !== 'POST' || req.path !== '/v3/mail/send') {
      return json(res, 404, { errors: [{ message: 'Not found', field: null }] });
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return json(res, 401, {
        errors: [{ message: 'The provided authorization grant is invalid', field: null }],
      });
    }
    let mail: {
      from?: { email?: string };
      subject?: string;
      content?: Array<{ type: string; value: string }>;
      personalizations?: Array<{
        to: Array<{ email: string }>;
        substitutions?: Record<string, string>;
        custom_args?: Record<string, string>;
      }>;
    };
    try {
      mail = JSON.parse(req.body);
    } catch {
      return json(res, 400, { errors: [{ message: 'Invalid JSON', field: null }] });
    }
    const personalizations = mail.personalizations ?? [];
    const problems: Array<{ message: string; field: string }> = [];
    if (!mail.from?.email) problems.push({ message: 'The from email is required', field: 'from.email' });
    if (personalizations.length === 0 || personalizations.length > 1000) {
      problems.push({ message: 'between 1 and 1000 personalizations', field: 'personalizations' });
    }
    personalizations.forEach((p, i) => {
      if (this.invalid.has(p.to[0]?.email ?? '')) {
        problems.push({
          message: 'Does not contain a valid address.',
          field: `personalizations.${i}.to.0.email`,
        });
      }
    });
    if (problems.length > 0) {
      // SendGrid takes nothing of a request it refuses: the refused addresses are the recipients', the
      // others only reached it.
      const refused: string[] = [];
      const others: string[] = [];
      for (const p of personalizations) {
        const to = p.to[0]?.email ?? '';
        (this.invalid.has(to) ? refused : others).push(to);
        this.note(to, this.invalid.has(to) ? 'refused' : 'other');
      }
      if (refused.length > 0) this.ledger?.partlyRefused.push({ at: Date.now(), refused, others });
      return json(res, 400, { errors: problems.map((p) => ({ ...p, help: null })) });
    }
    const messageId = randomBytes(11).toString('base64url');
    const html = mail.content?.find((c) => c.type === 'text/html')?.value ?? '';
    const text = mail.content?.find((c) => c.type === 'text/plain')?.value ?? '';
    for (const p of personalizations) {
      const fill = (s: string) => {
        let out = s;
        const subs = p.substitutions ?? {};
        const tokens = Object.keys(subs);
        if (tokens.length === 0) return out;
        const pattern = new RegExp(
          tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
          'g',
        );
        out = out.replace(pattern, (t) => subs[t] ?? t);
        return out;
      };
      this.accepted += 1;
      this.note(p.to[0].email, 'accepted');
      this.onAccepted?.({ to: p.to[0].email, messageId, customArgs: p.custom_args ?? {} });
      if (this.keep)
        this.sent.push({
          messageId,
          from: mail.from!.email!,
          to: p.to[0].email,
          subject: fill(mail.subject ?? ''),
          html: fill(html),
          text: fill(text),
          customArgs: p.custom_args ?? {},
        });
    }
    res.writeHead(202, { 'X-Message-Id': messageId }).end();
  }
}
