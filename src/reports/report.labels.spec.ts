import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_TEMPLATES_DIR } from './report.builder.js';

const DIR = join(REPORT_TEMPLATES_DIR, 'labels');
const read = (language: string) =>
  JSON.parse(readFileSync(join(DIR, `${language}.json`), 'utf8')) as Record<string, unknown>;
const placeholders = (label: string) => [...label.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

const en = read('en');
const LANGUAGES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

describe('report label files', () => {
  it('has the required languages', () => {
    expect(LANGUAGES).toEqual(['de', 'en', 'es', 'fr', 'ja', 'ko', 'pt-BR', 'zh-Hans']);
  });

  it.each(LANGUAGES)('%s has every key of en.json, and no other, each a non-empty string', (language) => {
    const labels = read(language);
    expect(Object.keys(labels).sort()).toEqual(Object.keys(en).sort());
    for (const [key, label] of Object.entries(labels)) {
      expect({ key, type: typeof label }).toEqual({ key, type: 'string' });
      expect({ key, empty: (label as string).trim() === '' }).toEqual({ key, empty: false });
    }
  });

  it.each(LANGUAGES)('%s keeps the placeholders of each English label', (language) => {
    const labels = read(language);
    for (const [key, label] of Object.entries(en)) {
      expect({ key, placeholders: placeholders(labels[key] as string) }).toEqual({
        key,
        placeholders: placeholders(label as string),
      });
    }
  });
});
