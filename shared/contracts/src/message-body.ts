import type { z } from 'zod';

/**
 * A broker message's body read as JSON through its schema: the value, or undefined when the body is
 * not JSON or not of that shape (every consumer drops or dead-letters such a message, and counts it).
 */
export function parseMessageBody<T>(schema: z.ZodType<T>, body: Buffer): T | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
