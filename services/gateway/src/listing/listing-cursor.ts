import { ApiError } from '@otpflow/errors';
import { z } from 'zod';

/** Where a page ended: the listing's sort key (creation, newest first, then id) of its last entry. */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

const positionSchema = z.strictObject({ c: z.number().int().min(0), i: z.string().min(1).max(64) });

/** Opaque to clients: base64url of the position, so the sort key can change without breaking them. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify({ c: position.createdAt.getTime(), i: position.id })).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string): PagePosition {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = positionSchema.safeParse(raw);
  if (!parsed.success)
    throw new ApiError('INVALID_ARGUMENT', {
      message:
        'Client specified an invalid argument, request body or query param. cursor: must be a cursor from a previous page.',
      details: { field: 'cursor' },
    });
  return { createdAt: new Date(parsed.data.c), id: parsed.data.i };
}
