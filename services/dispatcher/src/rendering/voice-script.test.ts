import { voiceLanguageSchema } from '@otpflow/contracts';
import { describe, expect, it } from 'vitest';
import { voiceScript } from './voice-script.js';

describe('voiceScript', () => {
  it('reads each character separately and says the code twice', () => {
    const script = voiceScript('482913', 'en-US');
    expect(script).toBe(
      'Your verification code is: 4, 8, 2, 9, 1, 3. I repeat, your code is: 4, 8, 2, 9, 1, 3.',
    );
  });

  it('speaks every supported language', () => {
    for (const language of voiceLanguageSchema.options) {
      const script = voiceScript('A7K2', language);
      expect(script.split('A, 7, K, 2').length - 1, language).toBe(2);
    }
    expect(voiceScript('12', 'fr-FR')).toContain('Votre code');
  });
});
