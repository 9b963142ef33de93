import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, EncryptionConfig } from '../config/config.js';
import { FieldCipher } from './field-cipher.js';

interface SecretsFile {
  encryptionKeys: Array<{ id: string; key: string }>;
  hashKey: string;
}

/**
 * Holds the field cipher. Keys come from ENCRYPTION_KEYS / HASH_KEY; in embedded mode without them they are
 * generated once into DATA_DIR/secrets.json (mode 600), next to the data they protect, so `npm start` works
 * with no configuration. In memory (`memory://`) they live as long as the process, like the data.
 */
@Injectable()
export class CryptoService {
  private readonly logger = new Logger(CryptoService.name);
  private cipherInstance?: FieldCipher;
  private resolved?: EncryptionConfig;

  constructor(private readonly config: AppConfig) {}

  get cipher(): FieldCipher {
    this.cipherInstance ??= new FieldCipher(this.keys);
    return this.cipherInstance;
  }

  /** The keys themselves, for import threads (which build their own cipher). */
  get keys(): EncryptionConfig {
    this.resolved ??= this.resolveKeys();
    return this.resolved;
  }

  private resolveKeys(): EncryptionConfig {
    if (this.config.encryption) return this.config.encryption;
    if (this.config.database.kind !== 'pglite') {
      throw new Error('ENCRYPTION_KEYS and HASH_KEY are required with DATABASE_URL');
    }
    const dataDir = this.config.database.dataDir;
    if (dataDir.startsWith('memory://')) return generate();
    const file = resolve(dataDir, 'secrets.json');
    if (!existsSync(file)) {
      const fresh = generate();
      mkdirSync(dataDir, { recursive: true });
      const content: SecretsFile = {
        encryptionKeys: fresh.keys.map((k) => ({ id: k.id, key: k.key.toString('base64') })),
        hashKey: fresh.hashKey.toString('base64'),
      };
      writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
      this.logger.warn(`generated encryption keys in ${file}: back it up with the data, or lose the data`);
    }
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
    return {
      keys: saved.encryptionKeys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') })),
      hashKey: Buffer.from(saved.hashKey, 'base64'),
    };
  }
}

function generate(): EncryptionConfig {
  return { keys: [{ id: 'k1', key: randomBytes(32) }], hashKey: randomBytes(32) };
}
