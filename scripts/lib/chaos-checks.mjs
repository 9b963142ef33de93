// The fault harness's verdict on one campaign: from the fakes' own counts (what reached each provider)
// and the database (what the service recorded), against what each person's plan and the injected
// failures call for. Every check says what it found in words an operator can act on; a few are known
// defects of the send path (issue 20), reported under their ids and gated by --known-defects.
import { expect as expected } from './chaos-directory.mjs';

/** Known defects of the send path, by check id: --known-defects=report keeps them from failing the run. */
export const KNOWN_DEFECTS = {
  // None today. Fixed (issue 20), each with a test of its own: push-sdk-retry (FCM through our own HTTP
  // client, test/provider-answers.e2e-spec.ts), sms-rate (a send slot per message,
  // test/medium/send-rate.spec.ts), crash-recovery (a 30 s lease, test/medium/crash-recovery.spec.ts),
  // sendgrid-refused-batch (test/medium/sendgrid-refused.spec.ts), malformed-success (MALFORMED,
  // test/medium/malformed-answer.spec.ts).
};

/** A duplicate's first copy counts as in flight at a fault up to this long before it. */
const IN_FLIGHT_MS = 60_000;

/**
 * Classifies every extra acceptance of an address at a provider:
 * - `crash`: the first copy was in flight at a crash (a worker killed, the database cut...), or its
 *   answer was lost when the process died;
 * - `answer-lost`: the first copy's answer never reached the service, which sent it again on its own
 *   (the message shows more than one attempt): it should have counted it;
 * - `sdk-retry`: the answer was lost, no crash, and the service handed the message over once (one
 *   attempt): a client library sent it again below the service, which reported it sent, uncounted;
 * - `unexplained`: none of these.
 * `attemptsOf(address)`: the attempts the database records for that address's message.
 */
export function classifyDuplicates(provider, ledger, faults, attemptsOf, resentByService = () => false) {
  const out = {
    total: 0,
    addresses: 0,
    byCause: { 'answer-lost': 0, crash: 0, 'sdk-retry': 0, unexplained: 0 },
    byFault: new Map(),
    examples: [],
  };
  for (const [address, times] of ledger.accepted) {
    if (times.length < 2) continue;
    out.addresses += 1;
    const lost = ledger.answerLost.get(address) ?? [];
    for (let i = 1; i < times.length; i += 1) {
      const [t0, t1] = [times[i - 1], times[i]];
      out.total += 1;
      let cause = 'unexplained';
      let fault;
      const lostAt = lost.find((l) => l >= t0 && l < t1);
      // The crash the first copy was in flight at: one under way when it was taken (a database cut lasts
      // seconds), else the first one after.
      const crash = faults
        .filter(
          (f) =>
            f.crash &&
            f.at !== undefined &&
            (f.end ?? f.at) >= t0 - 1_000 &&
            f.at <= t1 &&
            f.at - t0 <= IN_FLIGHT_MS,
        )
        .sort((a, b) => a.at - b.at)[0];
      if (lostAt !== undefined) {
        // Lost when its sender died (a crash within 2 s), cut by the harness's fault, or given up on.
        const near = faults
          .filter((f) => f.crash && f.at !== undefined && Math.abs(f.at - lostAt) <= 2_000)
          .sort((a, b) => Math.abs(a.at - lostAt) - Math.abs(b.at - lostAt))[0];
        const cut = (ledger.answerCut.get(address) ?? []).includes(lostAt);
        if (near) {
          cause = 'crash';
          fault = near;
        } else if (crash && (attemptsOf(address) ?? 2) <= 1) {
          // A crash (a worker killed, the database cut) between the copies broke the record of the first
          // attempt: the batch went again after its lease, with one attempt recorded.
          cause = 'crash';
          fault = crash;
        } else {
          cause = (attemptsOf(address) ?? 2) <= 1 && !resentByService(address) ? 'sdk-retry' : 'answer-lost';
          fault = cut
            ? faults.find(
                (f) =>
                  f.provider === provider &&
                  /answers? lost/.test(f.kind) &&
                  f.at !== undefined &&
                  f.at <= lostAt + 2_000,
              )
            : faults.filter((f) => f.provider === provider && f.at !== undefined && f.at <= lostAt).at(-1);
        }
      } else if (crash) {
        cause = 'crash';
        fault = crash;
      }
      out.byCause[cause] += 1;
      if (fault) out.byFault.set(fault, (out.byFault.get(fault) ?? 0) + 1);
      if (cause !== 'crash' && cause !== 'answer-lost' && out.examples.length < 3) {
        out.examples.push(
          `${cause}: copies ${t1 - t0} ms apart${lostAt !== undefined ? `, the first answer lost, ${attemptsOf(address) ?? '?'} attempt(s) recorded` : ''}`,
        );
      }
    }
  }
  return out;
}

/**
 * All checks of one campaign. `rows`: the campaign's deliveries from the database (external id,
 * recipient, status, messages); `view`: the campaign as the API shows it; `ledgers`: the fakes' counts
 * of this campaign's run; `faults`: what was injected (with times); `webhooks`: the provider side's
 * statistics and forged targets.
 */
export function checkCampaign({
  people,
  failures,
  rows,
  view,
  ledgers,
  faults,
  webhooks,
  smsRate,
  smsQueue,
  smsFits,
  mode,
  exits,
  talliesDiffer,
  phantoms,
}) {
  const checks = [];
  const add = (id, ok, message, details) =>
    checks.push({ id, ok, gated: !ok && mode === 'report' && id in KNOWN_DEFECTS, message, details });
  const byExternal = new Map(rows.map((r) => [r.external_id, r]));

  // Processes: none exited unless the harness killed it.
  add(
    'processes',
    exits.length === 0,
    exits.length === 0
      ? 'no service process exited unasked'
      : `${exits.length} service process(es) exited unasked: ${exits.map((e) => `${e.name} (exit ${e.child.exitCode ?? e.child.signalCode}, log ${e.logFile})`).join('; ')}`,
  );

  add(
    'completed',
    view.status === 'completed',
    `campaign ${view.status}${view.status === 'completed' ? '' : ` (progress ${JSON.stringify(view.progress)})`}`,
  );

  // Final state of every person, and lost notices (at the fakes).
  let wrong = 0;
  let wrongPhantom = 0;
  const wrongExamples = [];
  const lost = [];
  const unplanned = [];
  const lostAlerts = [];
  const accepted = (channel, address) => (ledgers[channel].accepted.get(address)?.length ?? 0) > 0;
  for (const p of people) {
    const e = expected(p, failures, undefined, smsFits);
    const row = byExternal.get(p.externalId);
    const status = row?.status ?? 'missing';
    if (status !== e.status || (row && row.recipient !== e.recipient)) {
      // A notice recorded sent on a malformed answer never reached the provider (nor its bounce): the
      // known defect, counted there.
      if (row?.phantom) wrongPhantom += 1;
      if (!row?.phantom || mode !== 'report') {
        wrong += 1;
        if (wrongExamples.length < 5)
          wrongExamples.push(
            `${p.externalId}: ${row?.recipient ?? '-'} ${status}, expected ${e.recipient} ${e.status}`,
          );
      }
    }
    // Lost: expected to be notified, and the provider never took the notice (or the service says notified
    // and no notice of theirs reached a provider).
    if (e.notifiedBy) {
      const address = e.tried.at(-1).address;
      if (!accepted(e.notifiedBy, address) || status !== 'notified')
        lost.push({ id: p.externalId, phantom: row?.phantom });
    } else if (status === 'notified') lost.push({ id: p.externalId, phantom: row?.phantom });
    // Sent where the plan does not go: a channel after the one that notified, or any address of theirs not tried.
    const tried = new Set(e.tried.map((t) => t.address));
    const who = e.recipient === 'guardian' ? p.guardian : p;
    for (const [channel, address] of [
      ['email', who.email],
      ['sms', who.phone],
    ]) {
      if (address && !tried.has(address) && (ledgers[channel].received.get(address) ?? 0) > 0)
        unplanned.push(`${p.externalId} (${channel})`);
    }
    for (const token of e.tokens) {
      if (!failures.unregisteredTokens.has(token) && !accepted('push', token)) lostAlerts.push(p.externalId);
    }
  }
  add(
    'final-state',
    wrong === 0,
    `${wrong === 0 ? `every one of ${people.length} people has the state its plan and the failures call for` : `${wrong} people in the wrong state, e.g. ${wrongExamples.join('; ')}`}${wrongPhantom ? ` (${wrongPhantom} whose notice was recorded sent on a malformed answer: known defect malformed-success${mode === 'report' ? ', not counted here' : ''})` : ''}`,
  );
  // Recorded as sent on an answer that was not the provider's: the known defect below, counted apart.
  const phantomLost = lost.filter((l) => l.phantom).length;
  const unknownLost = lost.length - (mode === 'report' ? phantomLost : 0);
  add(
    'lost',
    unknownLost === 0,
    `lost = ${lost.length}${
      lost.length
        ? ` (e.g. ${lost
            .slice(0, 5)
            .map((l) => l.id)
            .join(', ')}): expected notified, and no provider took their notice (or notified without one)`
        : ''
    }${phantomLost ? `; ${phantomLost} of them recorded sent on a malformed answer (known defect malformed-success)` : ''}`,
  );
  const phantomTotal = Object.values(phantoms ?? {}).reduce((a, b) => a + b, 0);
  add(
    'malformed-success',
    phantomTotal === 0,
    phantomTotal === 0
      ? "no message recorded as sent without the provider's id"
      : `${Object.entries(phantoms)
          .filter(([, n]) => n)
          .map(([c, n]) => `${n} ${c}`)
          .join(
            ', ',
          )} recorded as sent with no provider id (a 200 whose body is not the provider's answer): ${phantomLost} people not notified though the campaign says so`,
  );
  add(
    'unplanned-sends',
    unplanned.length === 0,
    unplanned.length === 0
      ? 'nothing sent where the plan does not go (forged failures included)'
      : `${unplanned.length} sends where the plan does not go, e.g. ${unplanned.slice(0, 5).join(', ')}`,
  );
  add(
    'alerts',
    lostAlerts.length === 0,
    lostAlerts.length === 0
      ? 'every registered token of an alert recipient got the alert'
      : `${lostAlerts.length} registered push tokens never got the alert, e.g. ${lostAlerts.slice(0, 5).join(', ')}`,
  );

  // Duplicates per provider, explained, and counted by the service.
  // Attempts the database records for the message an address belongs to.
  const owner = new Map();
  for (const p of people) {
    for (const who of [p, p.guardian].filter(Boolean)) {
      if (who.email) owner.set(`email:${who.email}`, p.externalId);
      if (who.phone) owner.set(`sms:${who.phone}`, p.externalId);
    }
    for (const tk of p.pushTokens ?? []) owner.set(`push:${tk.token}`, p.externalId);
  }
  const tokensOf = new Map();
  for (const p of people) for (const tk of p.pushTokens ?? []) tokensOf.set(tk.token, p.pushTokens.length);
  const attempts = (channel) => (address) =>
    byExternal.get(owner.get(`${channel}:${address}`))?.attempts?.[channel];
  const dups = {
    email: classifyDuplicates('sendgrid', ledgers.email, faults, attempts('email')),
    sms: classifyDuplicates('twilio', ledgers.sms, faults, attempts('sms')),
    // A device of a person with several is sent again within the job (one attempt recorded) when its
    // call got no answer and another device took the alert: the service's own resend, counted.
    push: classifyDuplicates(
      'fcm',
      ledgers.push,
      faults,
      attempts('push'),
      (token) => (tokensOf.get(token) ?? 0) > 1,
    ),
  };
  const explained = Object.values(dups).reduce((n, d) => n + d.byCause.crash + d.byCause['answer-lost'], 0);
  const unexplained = Object.entries(dups).filter(([, d]) => d.byCause.unexplained > 0);
  add(
    'duplicates-explained',
    unexplained.length === 0,
    unexplained.length === 0
      ? `every duplicate is explained: ${Object.entries(dups)
          .map(
            ([c, d]) =>
              `${c} ${d.total} (in flight at a crash ${d.byCause.crash}, answer lost ${d.byCause['answer-lost']})`,
          )
          .join(', ')}`
      : `unexplained duplicates: ${unexplained.map(([c, d]) => `${c} ${d.byCause.unexplained} (${d.examples.join('; ')})`).join(', ')}`,
  );
  add(
    'duplicates-counted',
    explained <= view.possibleDuplicates,
    `${explained} explained duplicates at the providers, the service counted possibleDuplicates = ${view.possibleDuplicates}`,
  );
  const sdk =
    dups.push.byCause['sdk-retry'] + dups.email.byCause['sdk-retry'] + dups.sms.byCause['sdk-retry'];
  add(
    'push-sdk-retry',
    sdk === 0,
    sdk === 0
      ? 'no copy was sent again below the service (every lost answer it did not see was a crash)'
      : `${dups.push.byCause['sdk-retry']} push alerts (and ${dups.email.byCause['sdk-retry'] + dups.sms.byCause['sdk-retry']} email/SMS) reached the provider twice after a lost answer while the service handed them over once (one attempt recorded, no crash): a retry below the service (a client library's own), reported sent, not in possibleDuplicates`,
  );

  // The SMS rate at Twilio, in segments as Twilio counts it: its queue for the sender (`smsQueue`, from the
  // fakes' queuePeak), sending on at the limit, never holds more than a second's worth beyond the longest
  // message (which arrives whole).
  const { seconds, longest } = smsQueue;
  const perSecond = [...ledgers.sms.arrivals.values()];
  add(
    'sms-rate',
    seconds <= 1 + longest / smsRate,
    `Twilio's queue at ${smsRate} segments a second held at most ${seconds.toFixed(2)} s of our SMS (limit 1 s beyond the longest SMS, ${longest} segments); at most ${perSecond.length ? Math.max(...perSecond) : 0} requests in one second`,
  );

  // SendGrid: a request refused for some addresses. The refused ones must fall back alone (never sent
  // to SendGrid again), the others go again at once. A crash between explains either. A refusal whose
  // answer the fake threw away (the answer-lost fault) never reached the service, which can only send
  // the whole request again (after its retry's backoff): not the service's to act on.
  const partlyRefused = ledgers.email.partlyRefused.filter((r) => !r.answerLost);
  const unanswered = ledgers.email.partlyRefused.length - partlyRefused.length;
  const crashBetween = (from, to) =>
    faults.some((f) => f.crash && f.at !== undefined && (f.end ?? f.at) >= from - 1_000 && f.at <= to);
  const refusals = new Map();
  for (const r of partlyRefused)
    for (const a of r.refused) refusals.set(a, [...(refusals.get(a) ?? []), r.at]);
  const refusedAgain = [...refusals].filter(([, times]) =>
    times.some((t, i) => i > 0 && !crashBetween(times[i - 1], t)),
  );
  const slow = [];
  for (const r of partlyRefused) {
    // Late: not taken, or taken more than 2 s later by another attempt of the job (the same attempt
    // sends them at once; on a loaded machine its request may still arrive seconds later).
    const late = r.others.filter((a) => {
      const t = ledgers.email.accepted.get(a)?.find((x) => x >= r.at);
      return (
        t === undefined || (t - r.at > 2_000 && !crashBetween(r.at, t) && (attempts('email')(a) ?? 2) > 1)
      );
    });
    if (late.length > 0) slow.push({ at: r.at, late: late.length, of: r.others.length });
  }
  const refusedRequests = partlyRefused.length;
  add(
    'sendgrid-refused-batch',
    refusedAgain.length === 0 && slow.length === 0,
    refusedRequests === 0
      ? 'no SendGrid request was refused for some of its addresses'
      : `${refusedRequests} SendGrid requests refused for some addresses: ${refusedAgain.length} refused addresses sent to SendGrid again with no crash between; in ${slow.length} of the requests the others went again more than 2 s later (${slow
          .slice(0, 3)
          .map((s) => `${s.late}/${s.of}`)
          .join(', ')})${unanswered ? `; ${unanswered} refusal(s) whose answer was lost left out` : ''}`,
  );

  // The campaign's counts against the fakes'.
  const counts = channelCounts(people, failures, ledgers);
  const progress = view.progress?.messages ?? {};
  const mismatch = [];
  for (const channel of ['email', 'sms', 'push']) {
    const m = progress[channel] ?? {};
    const took = (m.sent ?? 0) + (m.delivered ?? 0);
    const failed = m.failed ?? 0;
    const c = counts[channel];
    // Sent on a malformed answer: counted by the campaign, never taken (the known defect, in report mode).
    const phantom = mode === 'report' ? (phantoms?.[channel] ?? 0) : 0;
    if (took - phantom !== c.took || failed !== c.failed)
      mismatch.push(
        `${channel}: campaign ${took} sent/delivered and ${failed} failed, fakes ${c.took} and ${c.failed}${phantoms?.[channel] ? ` (${phantoms[channel]} sent on a malformed answer)` : ''}`,
      );
    const other = Object.entries(m).filter(([s, n]) => !['sent', 'delivered', 'failed'].includes(s) && n > 0);
    if (other.length > 0) mismatch.push(`${channel}: ${other.map(([s, n]) => `${n} ${s}`).join(', ')} left`);
  }
  add(
    'counts-match-providers',
    mismatch.length === 0,
    mismatch.length === 0
      ? `the campaign's counts equal the fakes': ${['email', 'sms', 'push'].map((c) => `${c} ${counts[c].took} taken, ${counts[c].failed} failed`).join('; ')}`
      : mismatch.join('; '),
  );
  if (talliesDiffer)
    add(
      'tallies',
      talliesDiffer.length === 0,
      talliesDiffer.length === 0
        ? 'progress (the tallies) equals a count of the rows'
        : `tallies differ from the rows: ${JSON.stringify(talliesDiffer.slice(0, 5))}`,
    );

  // Webhooks.
  if (webhooks) {
    const w = webhooks.stats;
    add(
      'webhooks-forged-refused',
      w.forgedAccepted.length === 0,
      `${w.forgedRefused} of ${w.forgedPosted} forged posts refused (403)${w.forgedAccepted.length ? `; accepted: ${w.forgedAccepted.map((f) => `${f.what} -> ${f.status}`).join(', ')}` : ''}`,
    );
    add(
      'webhooks-real-accepted',
      w.realRefused.length === 0,
      w.realRefused.length === 0
        ? `every genuine post accepted (${Object.entries(w.posts)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')}; ${w.retries} posted again after no answer)`
        : `${w.realRefused.length} genuine posts refused: ${JSON.stringify(w.realRefused.slice(0, 5))}`,
    );
    const targets = [...webhooks.forgedTargets];
    const fellBack = targets.filter((a) => {
      const p = people.find(
        (x) => x.email === a || x.phone === a || x.guardian?.email === a || x.guardian?.phone === a,
      );
      // Against what the plan and the real failures call for: a target may be an address that really
      // bounced (or a number really undelivered) after it was taken, whose person is rightly not notified
      // by it.
      return p && byExternal.get(p.externalId)?.status !== expected(p, failures, undefined, smsFits).status;
    });
    add(
      'webhooks-forged-no-effect',
      fellBack.length === 0,
      `${targets.length} people targeted by forged failures${fellBack.length ? `; ${fellBack.length} not in the state their plan and the real failures call for` : ', each in the state their plan and the real failures call for'}`,
    );
  }

  return { checks, dups, counts, lost };
}

/**
 * What the fakes say each channel's messages became: taken (accepted and not failed afterwards by a
 * bounce or an undelivered callback) and failed (refused, or failed afterwards). Push counts people:
 * taken when any of their tokens took the alert.
 */
export function channelCounts(people, failures, ledgers) {
  const emailTook = [...ledgers.email.accepted.keys()];
  const smsTook = [...ledgers.sms.accepted.keys()];
  const email = {
    took: emailTook.filter((a) => !failures.bouncedEmails.has(a)).length,
    failed:
      [...ledgers.email.refused.keys()].length +
      emailTook.filter((a) => failures.bouncedEmails.has(a)).length,
  };
  const sms = {
    took: smsTook.filter((a) => !failures.undeliveredPhones.has(a)).length,
    failed:
      [...ledgers.sms.refused.keys()].length +
      smsTook.filter((a) => failures.undeliveredPhones.has(a)).length,
  };
  const push = { took: 0, failed: 0 };
  for (const p of people) {
    const tokens = (p.pushTokens ?? []).map((t) => t.token).filter((t) => ledgers.push.received.has(t));
    if (tokens.length === 0) continue;
    if (tokens.some((t) => ledgers.push.accepted.has(t))) push.took += 1;
    else push.failed += 1;
  }
  return { email, sms, push };
}
