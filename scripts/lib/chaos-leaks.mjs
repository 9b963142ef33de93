// The leak scan: looks for any contact value of the test directory (see chaos-directory `needles`) in
// text from outside the sealed columns: logs, Redis, job payloads, /metrics, error answers, a raw dump
// of the database. Text is cut into words (and words into their pieces at : / = ? &), each looked up
// whole, lower-cased, URL-decoded, and as a token's prefix.
import { createReadStream } from 'node:fs';

const WORDS = /[A-Za-z0-9._%+@:/=?&\-]{6,}/g;
// Push tokens hold ':' (cut there too, and not: a token's prefix must stay whole).
const PIECES = [/[/=?&]+/, /[:/=?&]+/];

export class LeakScan {
  /** `needles`: value -> kind. */
  constructor(needles) {
    this.needles = needles;
    /** source -> { bytes, hits: Map(kind -> count), examples: [{ kind, where }] } */
    this.sources = new Map();
  }

  /** A scanner for one named source, fed text in chunks (lines may be cut anywhere). */
  source(name) {
    let entry = this.sources.get(name);
    if (!entry) {
      entry = { bytes: 0, hits: new Map(), examples: [] };
      this.sources.set(name, entry);
    }
    let rest = '';
    const scanLine = (line, lineNo) => {
      for (const word of line.match(WORDS) ?? []) {
        for (const piece of [word, ...word.split(PIECES[0]), ...word.split(PIECES[1])]) {
          const kind = this.lookup(piece);
          if (!kind) continue;
          entry.hits.set(kind, (entry.hits.get(kind) ?? 0) + 1);
          // Where, never what: the report must not repeat the value it found.
          if (entry.examples.length < 5) entry.examples.push({ kind, where: `line ${lineNo}` });
          break;
        }
      }
    };
    let lineNo = 0;
    return {
      push: (chunk) => {
        const text = rest + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        entry.bytes += Buffer.byteLength(text) - Buffer.byteLength(rest);
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) scanLine(line, (lineNo += 1));
      },
      end: () => {
        if (rest) scanLine(rest, (lineNo += 1));
        rest = '';
      },
    };
  }

  lookup(piece) {
    const n = this.needles;
    if (piece.length < 6) return undefined;
    const kind =
      n.get(piece) ??
      n.get(piece.toLowerCase()) ??
      (piece.length >= 24 ? n.get(piece.slice(0, 24)) : undefined);
    if (kind) return kind;
    if (piece.includes('%')) {
      try {
        const decoded = decodeURIComponent(piece);
        if (decoded !== piece)
          return n.get(decoded) ?? n.get(decoded.toLowerCase()) ?? n.get(decoded.replace(/^\+/, ''));
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  scanText(name, text) {
    const s = this.source(name);
    s.push(text);
    s.end();
  }

  async scanFile(name, path) {
    const s = this.source(name);
    for await (const chunk of createReadStream(path)) s.push(chunk);
    s.end();
  }

  /** Every source with what it held: [{ name, bytes, leaks, kinds, examples }]. */
  report() {
    return [...this.sources].map(([name, e]) => ({
      name,
      bytes: e.bytes,
      leaks: [...e.hits.values()].reduce((a, b) => a + b, 0),
      kinds: Object.fromEntries(e.hits),
      examples: e.examples,
    }));
  }
}

/** Every key of a Redis database with its value, as text (strings, hashes, lists, sets, sorted sets, streams). */
export async function redisText(redis) {
  const parts = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = JSON.stringify(await redis.hgetall(key));
      else if (type === 'list') value = JSON.stringify(await redis.lrange(key, 0, -1));
      else if (type === 'set') value = JSON.stringify(await redis.smembers(key));
      else if (type === 'zset') value = JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'));
      else if (type === 'stream') value = JSON.stringify(await redis.xrange(key, '-', '+'));
      else value = '';
      parts.push(`${key}\t${value}`);
    }
  } while (cursor !== '0');
  return { keys: parts.length, text: parts.join('\n') };
}

/**
 * The public side of an incident, as anyone on the internet reads it: a Security Notice drafted from the
 * incident, approved by a second key and published; then the index, its page in each of its languages,
 * its JSON, the Atom feed, and the "Was I affected?" answers for people of the directory (by email and by
 * number). `api(method, path, body, key)` is the harness's admin API; `base` the api process's URL.
 * Returns [{ name, text }] to scan, and the pages' count so the report can say what was read.
 */
export async function publicPages({ api, base, keys, incidentId, people }) {
  const notice = await api('POST', `/v1/incidents/${incidentId}/public-notices`, {}, keys.responder);
  await api('POST', `/v1/public-notices/${notice.id}/approve`, undefined, keys.approver);
  const published = await api('POST', `/v1/public-notices/${notice.id}/publish`, undefined, keys.responder);
  if (published.status !== 'published')
    throw new Error(`the public notice was not published: ${published.status}`);
  const slug = published.slug;
  const pages = [];
  const read = async (name, path, init) => {
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`public page ${path}: ${res.status} ${text.slice(0, 200)}`);
    pages.push({ name, text });
  };
  await read('index', '/security-notices');
  for (const lang of published.languages)
    await read(`${slug} (${lang})`, `/security-notices/${slug}?lang=${lang}`);
  await read(`${slug}.json`, `/security-notices/${slug}.json`);
  await read('feed.atom', '/security-notices/feed.atom');
  // "Was I affected?": the answer is the same whoever asks; it must not echo the address given.
  const withEmail = people.find((p) => p.email);
  const withPhone = people.find((p) => p.phone);
  for (const [kind, contact] of [
    ['email', withEmail?.email],
    ['number', withPhone?.phone],
  ]) {
    if (!contact) continue;
    await read(`lookup answer (${kind})`, `/security-notices/${slug}/lookup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ contact, lang: 'en' }).toString(),
    });
  }
  return pages;
}
