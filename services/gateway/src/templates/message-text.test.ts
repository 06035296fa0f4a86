import { ApiError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import {
  checkMessageLimits,
  checkTemplateText,
  fillVariables,
  insertCode,
  variablesOf,
} from './message-text.js';

describe('message text', () => {
  it('lists the variables a text uses, without the code', () => {
    expect(variablesOf('Hi {{name}}, {{ code }} is your {{app}} code for {{name}}')).toEqual(['name', 'app']);
  });

  it('fills variables and leaves {{code}} for the code', () => {
    const filled = fillVariables('Hi {{name}}: {{code}}', { name: 'Ana' }, 'template.variables');
    expect(filled).toBe('Hi Ana: {{code}}');
    expect(insertCode(filled, '4821')).toBe('Hi Ana: 4821');
  });

  it('names a missing variable', () => {
    try {
      fillVariables('{{greeting}} {{code}}', {}, 'template.variables');
      expect.unreachable();
    } catch (error) {
      expect((error as ApiError).details).toEqual({ field: 'template.variables.greeting' });
    }
  });

  it("fills only the request's own variables: never a property every object inherits", () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      let caught: unknown;
      try {
        fillVariables(`Hi {{${name}}} {{code}}`, {}, 'template.variables');
      } catch (error) {
        caught = error;
      }
      expect(caught, name).toBeInstanceOf(ApiError);
      expect((caught as ApiError).details).toEqual({ field: `template.variables.${name}` });
    }
  });

  it('refuses, at send, a stored template whose braces hold no placeholder', () => {
    expect(() => fillVariables('{{user.name}} {{code}}', {}, 'template.variables')).toThrow(
      expect.objectContaining({ details: { field: 'template.id' } }) as Error,
    );
  });

  it('refuses, at write time, braces that are not a placeholder and reserved names, naming them', () => {
    expect(() => {
      checkTemplateText('Hi {{ name }}, {{code}} for {{app_2}}', 'text');
    }).not.toThrow();
    for (const [text, named] of [
      ['{{constructor}} {{code}}', '{{constructor}}'],
      ['{{ toString }} {{code}}', '{{toString}}'],
      ['{{__proto__}} {{code}}', '{{__proto__}}'],
      ['{{user.name}} {{code}}', '{{user.name}}'],
      ['{{1st}} {{code}}', '{{1st}}'],
      ['{{}} {{code}}', '{{}}'],
      ['{{code}} {{name', '{{name'],
    ] as const) {
      let caught: unknown;
      try {
        checkTemplateText(text, 'text');
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(ApiError);
      expect((caught as ApiError).message, text).toContain(named);
      expect((caught as ApiError).details, text).toEqual({ field: 'text' });
    }
  });

  it('counts SMS parts and refuses more than 8, and long voice texts', () => {
    expect(checkMessageLimits('a'.repeat(161), 'sms', 'message')).toMatchObject({
      encoding: 'GSM-7',
      parts: 2,
    });
    expect(() => checkMessageLimits('ж'.repeat(537), 'sms', 'message')).toThrow(ApiError);
    expect(checkMessageLimits('a'.repeat(500), 'voice', 'message')).toBeUndefined();
    expect(() => checkMessageLimits('a'.repeat(501), 'voice', 'message')).toThrow(/at most 500/);
  });
});
