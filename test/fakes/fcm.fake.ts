import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FakeServer, json, type Recorded } from './fake-server.js';

export interface SentPush {
  name: string;
  token: string;
  title: string;
  body: string;
  data: Record<string, string>;
}

const fcmError = (code: number, status: string, errorCode: string, message: string) => ({
  error: {
    code,
    message,
    status,
    details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }],
  },
});

/**
 * FCM HTTP v1 messages:send at the wire: Bearer token, one message per request, 200 `{name}`; tokens in
 * `unregistered` get 404 UNREGISTERED; 429 QUOTA_EXCEEDED; faults answer 500 INTERNAL (the SDK retries
 * 503 itself, slowly).
 */
export class FcmFake extends FakeServer {
  readonly projectId = 'fake-project';
  readonly accessToken = `ya29.fake-${randomBytes(8).toString('hex')}`;
  readonly sent: SentPush[] = [];
  readonly unregistered = new Set<string>();
  /** Tokens of another Firebase project (an old build of the app): 403 SENDER_ID_MISMATCH. */
  readonly otherProject = new Set<string>();

  constructor() {
    super((req, res) => this.send(req, res), {
      serverError: (res, status) =>
        json(res, status, fcmError(status, 'INTERNAL', 'INTERNAL', 'Internal error')),
      rateLimited: (res, seconds) =>
        json(res, 429, fcmError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED', 'Quota exceeded'), {
          'Retry-After': String(seconds),
        }),
    });
  }

  private send(req: Recorded, res: ServerResponse): void {
    if (req.method !== 'POST' || req.path !== `/v1/projects/${this.projectId}/messages:send`) {
      return json(res, 404, fcmError(404, 'NOT_FOUND', 'UNSPECIFIED_ERROR', 'Not found'));
    }
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) {
      return json(
        res,
        401,
        fcmError(401, 'UNAUTHENTICATED', 'THIRD_PARTY_AUTH_ERROR', 'Invalid credentials'),
      );
    }
    const { message } = JSON.parse(req.body) as {
      message: {
        token: string;
        notification?: { title?: string; body?: string };
        data?: Record<string, string>;
      };
    };
    if (this.unregistered.has(message.token)) {
      this.note(message.token, 'refused');
      return json(res, 404, fcmError(404, 'NOT_FOUND', 'UNREGISTERED', 'Requested entity was not found.'));
    }
    if (this.otherProject.has(message.token)) {
      this.note(message.token, 'refused');
      return json(res, 403, fcmError(403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH', 'SenderId mismatch'));
    }
    const payload = Buffer.byteLength(JSON.stringify(message));
    if (payload > 4096) {
      this.note(message.token, 'other');
      return json(res, 400, fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'Message is too big'));
    }
    const name = `projects/${this.projectId}/messages/${randomBytes(8).toString('hex')}`;
    this.accepted += 1;
    this.note(message.token, 'accepted');
    if (this.keep)
      this.sent.push({
        name,
        token: message.token,
        title: message.notification?.title ?? '',
        body: message.notification?.body ?? '',
        data: message.data ?? {},
      });
    json(res, 200, { name });
  }
}
