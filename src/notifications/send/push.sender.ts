import { Inject, Injectable, Logger } from '@nestjs/common';
import { PUSH_PORT, type PushMessage, type PushPort, type SendOutcome } from '../../channels/channel.port.js';
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

/** Messages per FCM call (sendEach takes up to 500). */
const PUSH_CALL = 500;

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
    const perMessage = new Map<number, SendOutcome[]>();
    const untried = new Set<number>();
    for (let from = 0; from < calls.length; from += PUSH_CALL) {
      const slice = calls.slice(from, from + PUSH_CALL);
      if (!mayStart()) {
        slice.forEach((call) => untried.add(call.index));
        continue;
      }
      const results = await settle(this.logger, slice.length, () =>
        this.push.send(slice.map((c) => c.message)),
      );
      slice.forEach((call, k) => {
        const result = results[k];
        if ('unregistered' in result && result.unregistered && prepared[call.index].message.subjectId) {
          unregistered.push({
            subjectId: prepared[call.index].message.subjectId!,
            token: call.message.token,
          });
        }
        perMessage.set(call.index, [...(perMessage.get(call.index) ?? []), result]);
      });
    }
    for (const index of untried) if (!perMessage.has(index)) outcomes[index] = UNTRIED;
    // Sent when any of the person's devices took it; transient when none did but one may yet.
    for (const [index, results] of perMessage) {
      outcomes[index] =
        results.find((r) => r.kind === 'sent') ?? results.find((r) => r.kind === 'transient') ?? results[0];
    }
    return { outcomes, unregistered };
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
