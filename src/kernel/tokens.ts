/**
 * A DI token: a symbol that also carries the type of what it resolves to, plus a hint for the
 * operator when nothing provides it. Tokens of the protocol's interfaces live in src/protocol.
 */
export type Token<T> = symbol & { readonly __type?: T };

const hints = new Map<symbol, { name: string; hint: string }>();

export function defineToken<T>(name: string, hint: string): Token<T> {
  // Symbol.for: the same token even if two copies of a module load (a linked third-party plugin).
  const token = Symbol.for(`quetzal:${name}`) as Token<T>;
  hints.set(token, { name, hint });
  return token;
}

export function tokenName(token: symbol): string {
  return hints.get(token)?.name ?? token.description ?? String(token);
}

export function tokenHint(token: symbol): string | undefined {
  return hints.get(token)?.hint;
}
