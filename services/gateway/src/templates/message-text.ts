import { smsChargeInfo, type Channel, type SmsChargeInfo } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]{0,31})\s*\}\}/g;

/** The variable names a text uses, besides `code`. */
export function variablesOf(text: string): string[] {
  return [
    ...new Set(
      Array.from(text.matchAll(PLACEHOLDER), (match) => match[1] ?? '').filter((name) => name !== 'code'),
    ),
  ];
}

/**
 * The limits of a message per channel. SMS: at most 1224 characters (seed 003) and 8 parts, so a long
 * UCS-2 text is refused before it costs 19 messages; voice: what a call can say in a reasonable time.
 */
export const MESSAGE_LIMITS: Record<Channel, { characters: number; parts?: number }> = {
  sms: { characters: 1224, parts: 8 },
  voice: { characters: 500 },
};

export function checkMessageLimits(text: string, channel: Channel, field: string): SmsChargeInfo | undefined {
  const limit = MESSAGE_LIMITS[channel];
  if (text.length > limit.characters) {
    throw new ApiError('INVALID_ARGUMENT', {
      message: `${field}: a ${channel} message is at most ${limit.characters} characters.`,
      details: { field },
    });
  }
  if (channel !== 'sms') return undefined;
  const charge = smsChargeInfo(text);
  if (limit.parts !== undefined && charge.parts > limit.parts) {
    throw new ApiError('INVALID_ARGUMENT', {
      message: `${field}: the message would take ${charge.parts} SMS parts (${charge.encoding}); at most ${limit.parts}.`,
      details: { field },
    });
  }
  return charge;
}

/**
 * Fills `{{name}}` placeholders with variables, leaving `{{code}}` for the code itself. A placeholder
 * without a variable is the caller's mistake and names the variable.
 */
export function fillVariables(
  text: string,
  variables: Readonly<Record<string, string>>,
  field: string,
): string {
  return text.replace(PLACEHOLDER, (_placeholder, name: string) => {
    if (name === 'code') return '{{code}}';
    const value = variables[name];
    if (value === undefined) {
      throw new ApiError('INVALID_ARGUMENT', {
        message: `${field}.${name}: the message needs this variable.`,
        details: { field: `${field}.${name}` },
      });
    }
    return value;
  });
}

export function insertCode(text: string, code: string): string {
  return text.replaceAll('{{code}}', code);
}
