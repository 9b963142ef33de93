// The providers' side of the delivery webhooks, as SendGrid and Twilio post them: for every message a
// fake accepted, its events (SendGrid processed + delivered or bounce, in signed arrays; Twilio sent +
// delivered or undelivered, one signed form post each) to the api process. A post that gets no 2xx
// (the api down, a cut connection, a 5xx) is posted again later, as the providers do. In chaos mode it
// also replays, reorders, duplicates and forges posts; a forged post must be refused (403).
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const FLUSH_MS = 250;
const SENDGRID_POST_MAX = 1000;
const TWILIO_CONCURRENCY = 16;

export class ProviderWebhooks {
  /**
   * `api()`: the api process's base URL now (it changes when the harness restarts it); `publicBase`:
   * PUBLIC_BASE_URL, which Twilio signs; `failures`: the directory's failure sets; `random`: seeded.
   */
  constructor({ api, publicBase, sendgrid, twilio, failures, random }) {
    this.apiBase = api;
    this.publicBase = publicBase;
    this.sendgrid = sendgrid;
    this.twilio = twilio;
    this.failures = failures;
    this.random = random;
    this.chaos = false;
    this.sgQueue = [];
    this.twQueue = [];
    this.replays = [];
    this.inFlight = 0;
    this.stats = newStats();
    /** Bodies of every answer that was not a 2xx, for the leak scan. */
    this.errorAnswers = [];
    /** Accepted emails (address -> {messageId, ourId}) that may be a forged bounce's target. */
    this.accepted = new Map();
    /** Accepted SMS (number -> {path, sid}) that may be a forged callback's target. */
    this.acceptedSms = new Map();
    /** Addresses and numbers forged failures were posted for: each must keep its notice. */
    this.forgedTargets = new Set();
    this.eventSeq = 0;
    sendgrid.onAccepted = (mail) => this.emailAccepted(mail);
    twilio.onAccepted = (sms) => this.smsAccepted(sms);
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
  }

  resetStats() {
    this.stats = newStats();
  }

  stop() {
    clearInterval(this.timer);
    this.sendgrid.onAccepted = undefined;
    this.twilio.onAccepted = undefined;
  }

  /** Nothing left to post, nothing on the wire. */
  get idle() {
    return (
      this.sgQueue.length === 0 &&
      this.twQueue.length === 0 &&
      this.inFlight === 0 &&
      this.replays.length === 0
    );
  }

  emailAccepted({ to, messageId, customArgs }) {
    const seq = (this.eventSeq += 1);
    const base = {
      email: to,
      timestamp: Math.floor(Date.now() / 1000),
      sg_message_id: `${messageId}.filterdrecv-${seq}`,
      ...customArgs,
    };
    const bounced = this.failures.bouncedEmails.has(to);
    const events = [
      { ...base, event: 'processed', sg_event_id: `p-${seq}-${randomBytes(4).toString('hex')}` },
      bounced
        ? {
            ...base,
            event: 'bounce',
            type: 'bounce',
            status: '5.1.1',
            reason: `550 5.1.1 <${to}>: Recipient address rejected`,
            sg_event_id: `b-${seq}-${randomBytes(4).toString('hex')}`,
          }
        : {
            ...base,
            event: 'delivered',
            response: '250 OK',
            sg_event_id: `d-${seq}-${randomBytes(4).toString('hex')}`,
          },
    ];
    if (bounced) this.stats.bouncesQueued += 1;
    else this.accepted.set(to, { base, seq });
    if (this.chaos && this.random() < 0.2) events.reverse();
    this.sgQueue.push(...events);
    // Duplicated in the stream: the same event (same sg_event_id) twice.
    if (this.chaos && this.random() < 0.05) {
      this.sgQueue.push(events[1]);
      this.stats.duplicated += 1;
    }
  }

  smsAccepted({ to, sid, statusCallback }) {
    if (!statusCallback) return;
    const url = new URL(statusCallback);
    const path = `${url.pathname}${url.search}`;
    const common = { MessageSid: sid, AccountSid: this.twilio.accountSid, To: to, From: '+14155550000' };
    const undelivered = this.failures.undeliveredPhones.has(to);
    const last = undelivered
      ? { ...common, MessageStatus: 'undelivered', ErrorCode: '30003' }
      : { ...common, MessageStatus: 'delivered' };
    if (undelivered) this.stats.undeliveredQueued += 1;
    else this.acceptedSms.set(to, { path, sid });
    const first = { ...common, MessageStatus: 'sent' };
    const posts = this.chaos && this.random() < 0.2 ? [last, first] : [first, last];
    for (const params of posts) this.twQueue.push({ path, params });
    if (this.chaos && this.random() < 0.05) {
      this.twQueue.push({ path, params: last });
      this.stats.duplicated += 1;
    }
  }

  async flush() {
    if (this.flushing) return;
    this.flushing = true;
    try {
      const due = this.replays.filter((r) => r.at <= Date.now());
      this.replays = this.replays.filter((r) => r.at > Date.now());
      const work = [];
      for (const r of due) work.push(this.deliver(r.post, 'replayed'));
      while (this.sgQueue.length > 0) {
        const events = this.sgQueue.splice(0, SENDGRID_POST_MAX);
        if (this.chaos) shuffle(events, this.random);
        const post = this.signSendGrid(events);
        work.push(this.deliver(post, 'real'));
        if (this.chaos && this.random() < 0.03) {
          work.push(this.deliver(post, 'duplicated post'));
          this.stats.duplicated += 1;
        }
        if (this.chaos && this.random() < 0.05)
          this.replays.push({ at: Date.now() + 3_000 + this.random() * 20_000, post });
      }
      const tw = this.twQueue.splice(0, this.twQueue.length);
      let next = 0;
      const lane = async () => {
        while (next < tw.length) {
          const { path, params } = tw[next++];
          await this.deliver(this.signTwilio(path, params), 'real');
        }
      };
      work.push(...Array.from({ length: TWILIO_CONCURRENCY }, lane));
      await Promise.all(work);
    } finally {
      this.flushing = false;
    }
  }

  signSendGrid(events) {
    const { headers, body } = this.sendgrid.signEvents(events);
    return {
      provider: 'sendgrid',
      path: '/v1/webhooks/sendgrid',
      headers,
      body,
      bounces: events.filter((e) => e.event === 'bounce').length,
    };
  }

  signTwilio(path, params) {
    const { headers, body } = this.twilio.signCallback(`${this.publicBase}${path}`, params);
    return {
      provider: 'twilio',
      path,
      headers,
      body,
      bounces: params.MessageStatus === 'undelivered' ? 1 : 0,
    };
  }

  /**
   * Posts until the api answers 2xx (real, replayed and duplicated posts) or once (forged: a 403 is the
   * only right answer). A replay older than SendGrid's 5-minute window is refused too: either is fine.
   */
  async deliver(post, kind) {
    this.inFlight += 1;
    try {
      for (let attempt = 1; ; attempt += 1) {
        let status = 0;
        let text = '';
        try {
          const res = await fetch(`${this.apiBase()}${post.path}`, {
            method: 'POST',
            headers: post.headers,
            body: post.body,
          });
          status = res.status;
          text = await res.text();
        } catch {
          status = 0;
        }
        if (status !== 0 && (status < 200 || status >= 300)) this.errorAnswers.push(text);
        if (kind === 'forged') {
          // The api may be down at that moment: posted again until an answer comes.
          if (status === 0 && attempt < 60) {
            await new Promise((r) => setTimeout(r, 1_000));
            continue;
          }
          if (status === 403) this.stats.forgedRefused += 1;
          else this.stats.forgedAccepted.push({ status, what: post.what });
          return;
        }
        if (status >= 200 && status < 300) {
          this.stats.posts[kind] = (this.stats.posts[kind] ?? 0) + 1;
          if (kind === 'real') this.stats.bouncesPosted += post.bounces;
          return;
        }
        if (kind === 'replayed' && status === 403) {
          this.stats.staleReplaysRefused += 1;
          return;
        }
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          // A real post refused: a defect (or a harness bug); recorded, not retried.
          this.stats.realRefused.push({ status, provider: post.provider });
          return;
        }
        this.stats.retries += 1;
        await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * attempt)));
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /**
   * Forged posts carrying failures for addresses and numbers whose notice was accepted and must stay
   * so: SendGrid bounces signed with another key, a genuine signature over another body, a post signed
   * ten minutes ago, an unsigned one; Twilio "undelivered" callbacks signed with another auth token.
   * Each must be refused (403); the targets must not fall back. Returns the targets.
   */
  async forge(emails, numbers) {
    const take = (map, n) => {
      const free = [...map.keys()].filter((a) => !this.forgedTargets.has(a));
      const chosen = [];
      while (chosen.length < n && free.length > 0) {
        chosen.push(free.splice(Math.floor(this.random() * free.length), 1)[0]);
      }
      for (const a of chosen) this.forgedTargets.add(a);
      return chosen;
    };
    const toEmails = take(this.accepted, emails);
    const toNumbers = take(this.acceptedSms, numbers);
    const forged = [];
    if (toEmails.length > 0) {
      const bounces = toEmails.map((to) => {
        const { base, seq } = this.accepted.get(to);
        return {
          ...base,
          event: 'bounce',
          type: 'bounce',
          status: '5.1.1',
          sg_event_id: `f-${seq}-${randomBytes(4).toString('hex')}`,
        };
      });
      const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const now = Math.floor(Date.now() / 1000);
      const body = JSON.stringify(bounces);
      const sgHeaders = (signature, timestamp) => ({
        'Content-Type': 'application/json',
        'X-Twilio-Email-Event-Webhook-Signature': signature,
        'X-Twilio-Email-Event-Webhook-Timestamp': String(timestamp),
      });
      const strangers = sign('sha256', Buffer.from(`${now}${body}`), stranger.privateKey).toString('base64');
      const genuine = this.sendgrid.signEvents([{ ...bounces[0], event: 'delivered' }]);
      forged.push(
        ...[
          { what: 'SendGrid events signed with another key', headers: sgHeaders(strangers, now), body },
          { what: 'SendGrid: a genuine signature over another body', headers: genuine.headers, body },
          { what: 'SendGrid events signed ten minutes ago', ...this.sendgrid.signEvents(bounces, now - 600) },
          { what: 'SendGrid events unsigned', headers: { 'Content-Type': 'application/json' }, body },
        ].map((p) => ({ provider: 'sendgrid', path: '/v1/webhooks/sendgrid', ...p })),
      );
    }
    const wrongToken = randomBytes(16).toString('hex');
    for (const to of toNumbers) {
      const { path, sid } = this.acceptedSms.get(to);
      const params = {
        MessageSid: sid,
        MessageStatus: 'undelivered',
        ErrorCode: '30003',
        AccountSid: this.twilio.accountSid,
        To: to,
      };
      const good = this.twilio.signCallback(`${this.publicBase}${path}`, params);
      forged.push({
        provider: 'twilio',
        path,
        what: 'Twilio callback signed with another auth token',
        body: good.body,
        headers: {
          ...good.headers,
          'X-Twilio-Signature': signWithToken(wrongToken, `${this.publicBase}${path}`, params),
        },
      });
    }
    this.stats.forgedPosted += forged.length;
    await Promise.all(forged.map((p) => this.deliver(p, 'forged')));
    return [...toEmails, ...toNumbers];
  }
}

/** Twilio's signature (as twilio.getExpectedTwilioSignature makes it) under another auth token. */
function signWithToken(token, url, params) {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', token).update(Buffer.from(data, 'utf-8')).digest('base64');
}

function shuffle(list, random) {
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
}

function newStats() {
  return {
    posts: {},
    retries: 0,
    duplicated: 0,
    bouncesQueued: 0,
    undeliveredQueued: 0,
    bouncesPosted: 0,
    staleReplaysRefused: 0,
    forgedPosted: 0,
    forgedRefused: 0,
    forgedAccepted: [],
    realRefused: [],
  };
}
