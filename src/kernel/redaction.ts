/**
 * Keys whose values are secrets wherever they appear (compared without `-`, `_` and `.`, so
 * `publisherPrivateKey`, `private-key` and `AUTH_TOKEN` all match, but `bondTokenAddress` does not).
 */
const SECRET_KEY = /(privatekey|secret|password|passphrase|mnemonic|authtoken|apikey|accesstoken|bearertoken|seedphrase)$|^(token|authorization|cookie)$/i;
const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.replace(/[-_.]/g, ''));
}

/**
 * Removes secrets from what is about to leave the process (logs, errors, config dumps, metrics
 * labels): values under secret-looking keys at any depth, and any occurrence of a known secret
 * value (registered from the config) inside any string.
 */
export class Redactor {
  private readonly values = new Set<string>();

  addSecretValue(value: string | undefined): void {
    // Very short values would blank out unrelated text; they are not real secrets anyway.
    if (value && value.length >= 8) {
      this.values.add(value);
      if (value.startsWith('0x')) this.values.add(value.slice(2));
    }
  }

  /**
   * Treats the credentials an RPC URL may carry as secrets: user and password, and a path or query
   * beyond the bare host (providers put API keys there: `https://host/v2/<key>`).
   */
  addSecretsOfUrl(value: string | undefined): void {
    let url: URL;
    try {
      url = new URL(value ?? '');
    } catch {
      return;
    }
    if (!/^(https?|wss?):$/.test(url.protocol)) return;
    this.addSecretValue(decodeURIComponent(url.username));
    this.addSecretValue(decodeURIComponent(url.password));
    const rest = `${url.pathname === '/' ? '' : url.pathname}${url.search}`;
    this.addSecretValue(rest);
    for (const part of rest.split(/[/?&=]/)) this.addSecretValue(part);
  }

  redactString(s: string): string {
    let out = s;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  }
}

export function redactDeep(value: unknown, redactor: Redactor, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactor.redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: redactor.redactString(value.message) };
    if (value.stack) out.stack = redactor.redactString(value.stack);
    for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redactDeep(v, redactor, seen);
    if (value.cause !== undefined) out.cause = redactDeep(value.cause, redactor, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redactor, seen));
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof URL) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && v !== undefined ? REDACTED : redactDeep(v, redactor, seen);
  return out;
}
