import type { VoiceGender, VoiceLanguage } from '@otpflow/contracts';

interface TwilioVoice {
  /** Twilio's `language` attribute of <Say>. */
  language: string;
  female: string;
  male: string;
}

/**
 * Our voice languages on Twilio's text-to-speech voices. Amazon Polly standard voices where Polly has
 * the language; Google voices for Greek and Hungarian, which Polly lacks. Where a language has a
 * single voice, both genders use it: a call in the right language beats a refused call. `es-LA` is not
 * a locale Twilio knows, so Latin American Spanish uses the US Spanish voices.
 */
const VOICES: Record<VoiceLanguage, TwilioVoice> = {
  'en-US': { language: 'en-US', female: 'Polly.Joanna', male: 'Polly.Matthew' },
  'en-GB': { language: 'en-GB', female: 'Polly.Amy', male: 'Polly.Brian' },
  'el-GR': { language: 'el-GR', female: 'Google.el-GR-Standard-A', male: 'Google.el-GR-Standard-A' },
  'pl-PL': { language: 'pl-PL', female: 'Polly.Ewa', male: 'Polly.Jacek' },
  'hu-HU': { language: 'hu-HU', female: 'Google.hu-HU-Standard-A', male: 'Google.hu-HU-Standard-A' },
  'sv-SE': { language: 'sv-SE', female: 'Polly.Astrid', male: 'Polly.Astrid' },
  'de-DE': { language: 'de-DE', female: 'Polly.Marlene', male: 'Polly.Hans' },
  'es-ES': { language: 'es-ES', female: 'Polly.Conchita', male: 'Polly.Enrique' },
  'es-LA': { language: 'es-US', female: 'Polly.Penelope', male: 'Polly.Miguel' },
  'fr-FR': { language: 'fr-FR', female: 'Polly.Celine', male: 'Polly.Mathieu' },
  'it-IT': { language: 'it-IT', female: 'Polly.Carla', male: 'Polly.Giorgio' },
  'pt-BR': { language: 'pt-BR', female: 'Polly.Vitoria', male: 'Polly.Ricardo' },
  'ru-RU': { language: 'ru-RU', female: 'Polly.Tatyana', male: 'Polly.Maxim' },
};

const XML_ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&apos;',
  '"': '&quot;',
};

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => XML_ENTITIES[character] ?? character);
}

/** The TwiML of an OTP call: the script, a pause, the script again (people miss the first reading). */
export function otpCallTwiml(
  script: string,
  voice: { language: VoiceLanguage; gender: VoiceGender } | undefined,
): string {
  const { language, female, male } = VOICES[voice?.language ?? 'en-US'];
  const name = voice?.gender === 'male' ? male : female;
  const say = `<Say voice="${name}" language="${language}">${escapeXml(script)}</Say>`;
  return `<Response>${say}<Pause/>${say}</Response>`;
}
