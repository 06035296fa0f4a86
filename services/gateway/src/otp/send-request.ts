import type { Channel, VoiceGender, VoiceLanguage } from '@otpflow/contracts';
import type { CodeAlphabet } from '@otpflow/mongo';

/**
 * The words of a message: free text with `{{code}}`, a template of the client's, or the standard
 * wording (an SMS saying the code; for a call, the localized script).
 */
export type MessageSource =
  | { kind: 'standard' }
  | { kind: 'text'; text: string }
  | { kind: 'template'; templateId: string; locale: string; variables: Record<string, string> };

/**
 * A request for a code, fully resolved against the client's policy: what the CAMARA and native routes
 * both hand to the issuer. Every value here has already been checked.
 */
export interface SendRequest {
  phoneNumber: string;
  channel: Channel;
  codeLength: number;
  alphabet: CodeAlphabet;
  validitySeconds: number;
  maxAttempts: number;
  message: MessageSource;
  senderId?: string;
  voice?: { language: VoiceLanguage; gender: VoiceGender };
  recipientIp?: string;
  correlator?: string;
}
