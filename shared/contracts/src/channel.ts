import { z } from 'zod';

/** How a code reaches the user. */
export const channelSchema = z.enum(['sms', 'voice']);
export type Channel = z.infer<typeof channelSchema>;

/** The 13 text-to-speech languages of the Octopush-style provider API (seed 003). */
export const voiceLanguageSchema = z.enum([
  'en-US',
  'en-GB',
  'el-GR',
  'pl-PL',
  'hu-HU',
  'sv-SE',
  'de-DE',
  'es-ES',
  'es-LA',
  'fr-FR',
  'it-IT',
  'pt-BR',
  'ru-RU',
]);
export type VoiceLanguage = z.infer<typeof voiceLanguageSchema>;

export const voiceGenderSchema = z.enum(['male', 'female']);
export type VoiceGender = z.infer<typeof voiceGenderSchema>;

/** E.164 as CAMARA defines it. */
export const phoneNumberSchema = z
  .string()
  .regex(/^\+[1-9][0-9]{4,14}$/, 'must be E.164, e.g. +346661113334');

/** Alphanumeric sender id, as the provider APIs accept it (seed 003: 3-11 of a-zA-Z0-9). */
export const senderIdSchema = z.string().regex(/^[a-zA-Z0-9]{3,11}$/, 'must be 3 to 11 letters or digits');
