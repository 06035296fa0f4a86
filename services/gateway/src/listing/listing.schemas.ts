import { channelSchema, priceSchema } from '@otpflow/contracts';
import { z } from 'zod';
import { verificationStatusSchema } from '../native/verification.schemas.js';

/**
 * The queries and answers of the verifications listing and the conversion analytics: read models of
 * the event stream (docs/native-api.md: they trail the events by the projector's lag). The OpenAPI
 * document is generated from these.
 */

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
/** The widest conversion range: 92 days of hourly buckets. */
export const MAX_CONVERSION_RANGE_HOURS = 92 * 24;

const instant = z.iso.datetime({ offset: true }).transform((text) => new Date(text));
/** A country calling code, with or without its `+`: `33`, `+33`. */
const country = z
  .string()
  .regex(/^\+?[1-9][0-9]{0,2}$/, 'must be a country calling code')
  .transform((text) => text.replace(/^\+/, ''));
const wholeNumber = z
  .string()
  .regex(/^[0-9]{1,4}$/, 'must be a whole number')
  .transform(Number);

export const listVerificationsQuerySchema = z
  .strictObject({
    status: verificationStatusSchema.optional(),
    channel: channelSchema.optional(),
    country: country.optional(),
    from: instant.optional(),
    to: instant.optional(),
    pageSize: wholeNumber.pipe(z.number().int().min(1).max(MAX_PAGE_SIZE)).optional(),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a cursor from a previous page')
      .optional(),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, {
    message: 'must be after from',
    path: ['to'],
  });
export type ListVerificationsQuery = z.output<typeof listVerificationsQuerySchema>;

const costSchema = z.object({
  /** SMS parts as otpflow counted them before sending. */
  smsParts: z.number().int(),
  /** Parts the vendors say they billed, where they say. */
  billedParts: z.number().int(),
  /** What the vendors say they charged, per currency (never converted or mixed). */
  price: z.array(priceSchema),
});

export const verificationSummarySchema = z.object({
  id: z.string(),
  status: verificationStatusSchema,
  channel: channelSchema,
  /** The number, masked; null until the request's event is read. */
  to: z.string().nullable(),
  /** The country calling code, without `+`. */
  country: z.string(),
  provider: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  sentAt: z.iso.datetime().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
  verifiedAt: z.iso.datetime().nullable(),
  cost: costSchema,
});
export type VerificationSummary = z.infer<typeof verificationSummarySchema>;

export const verificationPageSchema = z.object({
  verifications: z.array(verificationSummarySchema),
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: z.string().nullable(),
});
export type VerificationPage = z.infer<typeof verificationPageSchema>;

export const CONVERSION_GROUPS = ['country', 'channel', 'provider'] as const;
export type ConversionGroup = (typeof CONVERSION_GROUPS)[number];

export const conversionQuerySchema = z
  .strictObject({ from: instant, to: instant, groupBy: z.enum(CONVERSION_GROUPS).optional() })
  .refine((query) => query.from < query.to, { message: 'must be after from', path: ['to'] });
export type ConversionQuery = z.output<typeof conversionQuerySchema>;

const conversionFiguresSchema = z.object({
  requested: z.number().int(),
  sent: z.number().int(),
  verified: z.number().int(),
  /** verified / sent; null when nothing was sent. */
  conversion: z.number().nullable(),
  cost: costSchema,
});
export type ConversionFigures = z.infer<typeof conversionFiguresSchema>;

export const conversionReportSchema = z.object({
  /** The range the buckets cover: the query's, widened to whole hours. */
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  groupBy: z.enum(CONVERSION_GROUPS).nullable(),
  groups: z.array(conversionFiguresSchema.extend({ key: z.string() })),
  total: conversionFiguresSchema,
});
export type ConversionReport = z.infer<typeof conversionReportSchema>;
