/** Types more than one resource uses, as the gateway's schemas define them. */

/** How a code reaches the user. */
export type Channel = 'sms' | 'voice';

/** The characters a code is made of; any non-empty combination. */
export type CodeAlphabet = 'digits' | 'uppercase' | 'lowercase' | 'special';

/** The 13 text-to-speech languages of a voice call. */
export type VoiceLanguage =
  | 'en-US'
  | 'en-GB'
  | 'el-GR'
  | 'pl-PL'
  | 'hu-HU'
  | 'sv-SE'
  | 'de-DE'
  | 'es-ES'
  | 'es-LA'
  | 'fr-FR'
  | 'it-IT'
  | 'pt-BR'
  | 'ru-RU';

export type VoiceGender = 'male' | 'female';

/**
 * What a vendor says it charged: a decimal amount as a string (`"0.0333"`, never rounded) and the
 * ISO 4217 currency it charged in. Prices in different currencies are never added up.
 */
export interface Price {
  amount: string;
  currency: string;
}

/** What an SMS costs: its encoding and the number of parts it is billed as. */
export interface ChargeInfo {
  encoding: 'GSM-7' | 'UCS-2';
  parts: number;
}

/**
 * One step of a channel workflow. The next step runs when the code is not verified within
 * `timeoutSeconds` (15-900), or at once when this step fails for good (every provider refused it, or
 * its delivery receipt says undelivered). Without a timeout the next step follows a failure only.
 */
export interface WorkflowStep {
  channel: Channel;
  timeoutSeconds?: number;
}
