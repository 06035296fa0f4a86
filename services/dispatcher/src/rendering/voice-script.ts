import type { VoiceLanguage } from '@otpflow/contracts';

/** What the voice says around the code, in each of the 13 languages of the voice API (seed 003). */
const PHRASES: Record<VoiceLanguage, { intro: string; repeat: string }> = {
  'en-US': { intro: 'Your verification code is', repeat: 'I repeat, your code is' },
  'en-GB': { intro: 'Your verification code is', repeat: 'I repeat, your code is' },
  'el-GR': { intro: 'Ο κωδικός επαλήθευσής σας είναι', repeat: 'Επαναλαμβάνω, ο κωδικός σας είναι' },
  'pl-PL': { intro: 'Twój kod weryfikacyjny to', repeat: 'Powtarzam, twój kod to' },
  'hu-HU': { intro: 'Az ellenőrző kódja', repeat: 'Ismétlem, a kódja' },
  'sv-SE': { intro: 'Din verifieringskod är', repeat: 'Jag upprepar, din kod är' },
  'de-DE': { intro: 'Ihr Bestätigungscode lautet', repeat: 'Ich wiederhole, Ihr Code lautet' },
  'es-ES': { intro: 'Su código de verificación es', repeat: 'Repito, su código es' },
  'es-LA': { intro: 'Tu código de verificación es', repeat: 'Repito, tu código es' },
  'fr-FR': { intro: 'Votre code de vérification est', repeat: 'Je répète, votre code est' },
  'it-IT': { intro: 'Il suo codice di verifica è', repeat: 'Ripeto, il suo codice è' },
  'pt-BR': { intro: 'Seu código de verificação é', repeat: 'Repito, seu código é' },
  'ru-RU': { intro: 'Ваш код подтверждения', repeat: 'Повторяю, ваш код' },
};

/**
 * The text-to-speech script of a voice code: each character read on its own, separated by pauses
 * (commas make speech engines pause), and the whole code said twice, so someone writing it down can
 * catch every character.
 */
export function voiceScript(code: string, language: VoiceLanguage): string {
  const spelled = spelledOut(code);
  const { intro, repeat } = PHRASES[language];
  return `${intro}: ${spelled}. ${repeat}: ${spelled}.`;
}

/** Each character on its own, with a pause after it. */
export function spelledOut(code: string): string {
  return Array.from(code).join(', ');
}
