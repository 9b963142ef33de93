import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { PUSH_PORT, type PushMessage, type PushOutcome, type PushPort } from '../../channels/channel.port.js';
import { NoticeRenderer } from '../../templates/notice.renderer.js';
import type { BatchRow } from '../messages.types.js';
import {
  RENDER_FAILED,
  rendered,
  settle,
  UNTRIED,
  unsent,
  type ChannelSender,
  type MayStart,
  type Prepared,
  type Sent,
  type Unregistered,
} from './sending.js';

/** Messages per call of the port. */
const PUSH_CALL = 500;
/** Sends again, within the job, to the devices of people another device of whom took the alert. */
const RESEND_ROUNDS = 3;
/** The longest a resend waits for a provider's Retry-After (a job's retry takes the longer ones). */
const RESEND_MAX_WAIT_MS = 5_000;

/** Before a resend: what the provider asked, at most RESEND_MAX_WAIT_MS, else 250 ms doubling. */
function resendWait(answers: PushOutcome[], round: number): number {
  const asked = Math.max(0, ...answers.map((a) => (a.kind === 'transient' ? (a.retryAfterMs ?? 0) : 0)));
  return Math.min(RESEND_MAX_WAIT_MS, Math.max(asked, 250 * 2 ** (round - 1)));
}

/**
 * Push alerts: one message per device token, in calls of up to 500; a person's alert is sent when any of
 * their devices took it. Tokens FCM says are gone are handed back, to leave the directory.
 */
@Injectable()
export class PushSender implements ChannelSender {
  private readonly logger = new Logger(PushSender.name);

  constructor(
    private readonly renderer: NoticeRenderer,
    @Inject(PUSH_PORT) private readonly push: PushPort,
  ) {}

  async send(batch: BatchRow, prepared: Prepared[], mayStart: MayStart): Promise<Sent> {
    const outcomes = unsent(prepared);
    const unregistered: Unregistered[] = [];
    const calls = this.calls(batch, prepared, outcomes);
    /** The last answer for each call (by its place in `calls`); none when it never left. */
    const answers = new Array<PushOutcome | undefined>(calls.length);
    let pending = calls.map((_, c) => c);
    let maybeSentAgain = 0;
    for (let round = 0; pending.length > 0 && round <= RESEND_ROUNDS; round += 1) {
      if (round > 0) {
        await sleep(
          resendWait(
            pending.map((c) => answers[c]!),
            round,
          ),
        );
        // Sent again: an earlier call that got no answer may have reached the device already.
        maybeSentAgain += pending.filter(
          (c) => answers[c]!.kind === 'transient' && answers[c]!.maybeSent,
        ).length;
      }
      const left = await this.sendCalls(
        pending.map((c) => calls[c].message),
        mayStart,
      );
      pending.forEach((c, k) => {
        const result = left[k];
        if (!result) return;
        answers[c] = result;
        const p = prepared[calls[c].index];
        if (result.unregistered && p.message.subjectId) {
          unregistered.push({ subjectId: p.message.subjectId, token: calls[c].message.token });
        }
      });
      // A device whose call failed for the moment, of a person another device of whom took the alert,
      // is sent again now: the person counts as sent, so no retry of the job would ever reach it
      // (chaos found such tokens never got the alert). A person none of whose devices took it is the
      // job's to retry, as before.
      const took = new Set(calls.filter((_, c) => answers[c]?.kind === 'sent').map((call) => call.index));
      pending = pending.filter((c) => answers[c]?.kind === 'transient' && took.has(calls[c].index));
      if (!mayStart()) break;
    }
    const perMessage = new Map<number, PushOutcome[]>();
    calls.forEach((call, c) => {
      const answer = answers[c];
      if (answer) perMessage.set(call.index, [...(perMessage.get(call.index) ?? []), answer]);
      else if (!perMessage.has(call.index)) outcomes[call.index] = UNTRIED;
    });
    // Sent when any of the person's devices took it; transient when none did but one may yet.
    for (const [index, results] of perMessage) {
      outcomes[index] =
        results.find((r) => r.kind === 'sent') ?? results.find((r) => r.kind === 'transient') ?? results[0];
    }
    return { outcomes, unregistered, maybeSentAgain };
  }

  /** The messages in calls of up to PUSH_CALL; undefined for those no call started for (lease low). */
  private async sendCalls(
    messages: PushMessage[],
    mayStart: MayStart,
  ): Promise<Array<PushOutcome | undefined>> {
    const results = new Array<PushOutcome | undefined>(messages.length);
    for (let from = 0; from < messages.length; from += PUSH_CALL) {
      if (!mayStart()) break;
      const slice = messages.slice(from, from + PUSH_CALL);
      const answers = await settle(this.logger, slice.length, () => this.push.send(slice));
      answers.forEach((a, k) => (results[from + k] = a));
    }
    return results;
  }

  /** One message per token of each person, rendered once per person (a failed render is its outcome). */
  private calls(
    batch: BatchRow,
    prepared: Prepared[],
    outcomes: Sent['outcomes'],
  ): Array<{ index: number; message: PushMessage }> {
    const calls: Array<{ index: number; message: PushMessage }> = [];
    prepared.forEach((p, index) => {
      if (p.tokens.length === 0) return;
      const alert = rendered(this.logger, () => this.renderer.renderShort(batch.template, p.facts).push);
      if (!alert) {
        outcomes[index] = RENDER_FAILED;
        return;
      }
      for (const token of p.tokens) {
        calls.push({
          index,
          message: {
            messageId: p.message.id,
            token,
            title: alert.title,
            body: alert.body,
            data: { url: p.facts.url },
          },
        });
      }
    });
    return calls;
  }
}
