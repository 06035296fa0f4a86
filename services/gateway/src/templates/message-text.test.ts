import { ApiError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import { checkMessageLimits, fillVariables, insertCode, variablesOf } from './message-text.js';

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
