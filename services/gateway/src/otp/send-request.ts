import type { Channel, VoiceGender, VoiceLanguage, Workflow } from '@otpflow/contracts';
import type { CodeAlphabet } from '@otpflow/mongo';
import type { PhoneNumber } from './phone-number.js';

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
 * both hand to the issuer. Every value here has already been checked; the number has been read into
 * its canonical form.
 */
export interface SendRequest {
  phone: PhoneNumber;
  channel: Channel;
  /** The channel workflow, checked against the policy; its first step is `channel`. Absent: one step. */
  workflow?: Workflow;
  codeLength: number;
  alphabet: CodeAlphabet;
  validitySeconds: number;
  maxAttempts: number;
  message: MessageSource;
  senderId?: string;
  voice?: { language: VoiceLanguage; gender: VoiceGender };
  recipientIp?: string;
  /** The client's address when it came through trusted proxies (an end user's, not a backend's). */
  forwardedFor?: string;
  correlator?: string;
  /** Which API asked: native codes always wait out the resend interval; CAMARA's when the policy says. */
  api: 'camara' | 'native';
}
