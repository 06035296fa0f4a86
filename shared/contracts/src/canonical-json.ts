/**
 * JSON with object keys in sorted order at every depth, so two parties that hold the same value
 * produce the same bytes however their objects were built. Used as associated data, never parsed back.
 *
 * Built by appending to one string rather than mapping entries into arrays and joining them: it runs
 * on every send job the gateway seals, and the array-and-closure version cost twice as much. The
 * output is the same byte for byte (send jobs sealed by either version open under the other).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return arrayJson(value as readonly unknown[]);
  return objectJson(value as Record<string, unknown>);
}

function arrayJson(items: readonly unknown[]): string {
  let out = '[';
  for (let index = 0; index < items.length; index += 1) {
    if (index > 0) out += ',';
    // Like Array.prototype.join, an item with no JSON form (undefined, a function) adds nothing.
    out += (canonicalJson(items[index]) as string | undefined) ?? '';
  }
  return `${out}]`;
}

function objectJson(object: Record<string, unknown>): string {
  // Default sort order is by UTF-16 code units, the order `<` gives strings.
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}
