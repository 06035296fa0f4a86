import { smsChargeInfo, type Channel, type SmsChargeInfo } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]{0,31})\s*\}\}/g;
/** Whatever sits between double braces, or a `{{` never closed: what an author meant as a placeholder. */
const BRACED = /\{\{(.*?)\}\}|\{\{[^}]*$/g;
const VARIABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,31}$/;

/**
 * Names every JavaScript object answers to (`constructor`, `toString`…): never variables, so that no
 * lookup anywhere can turn a placeholder into an object's innards (`{{constructor}}` once rendered
 * `function Object() { [native code] }`).
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * A template's text, at write time: every `{{…}}` must be a placeholder (a letter, then up to 31
 * letters, digits or underscores) and none a reserved name; the 400 names the first that is not.
 */
export function checkTemplateText(text: string, field: string): void {
  const bad = malformedPlaceholder(text);
  const reserved = variablesOf(text).find((name) => RESERVED_NAMES.has(name));
  const problem = bad
    ? `${bad} is not a placeholder: write {{name}}, a letter then up to 31 letters, digits or underscores`
    : reserved && `{{${reserved}}} is a reserved name: choose another`;
  if (problem)
    throw new ApiError('INVALID_ARGUMENT', { message: `${field}: ${problem}.`, details: { field } });
}

/** The first `{{…}}` of a text that is not a placeholder, if any. */
function malformedPlaceholder(text: string): string | undefined {
  for (const match of text.matchAll(BRACED)) {
    const name = match[1]?.trim();
    if (name === undefined || !VARIABLE_NAME.test(name)) return match[0];
  }
  return undefined;
}

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
 * Fills a template's `{{name}}` placeholders with the request's variables, leaving `{{code}}` for the
 * code itself. Only the request's own variables fill a placeholder (never a property every object
 * inherits), and a reserved name is never filled; a placeholder without a variable is the caller's
 * mistake and names the variable. A stored template whose braces hold no placeholder (written before
 * the rules of checkTemplateText) is refused, naming the template.
 */
export function fillVariables(
  text: string,
  variables: Readonly<Record<string, string>>,
  field: string,
): string {
  const bad = malformedPlaceholder(text);
  if (bad) {
    throw new ApiError('INVALID_ARGUMENT', {
      message: `template.id: the template has ${bad}, which is not a placeholder; fix the template.`,
      details: { field: 'template.id' },
    });
  }
  return text.replace(PLACEHOLDER, (_placeholder, name: string) => {
    if (name === 'code') return '{{code}}';
    const value = Object.hasOwn(variables, name) && !RESERVED_NAMES.has(name) ? variables[name] : undefined;
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
