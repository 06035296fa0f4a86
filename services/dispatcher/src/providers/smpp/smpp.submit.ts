import { splitSms } from '@otpflow/contracts';
import type smpp from 'smpp';
import type { OutboundMessage } from '../provider.js';
import { digitsOnly } from '../vendor-settings.js';

/**
 * How a text longer than one SMS goes to the SMSC:
 * - `udh`: one submit_sm per part, each short_message opening with a concatenation user data header
 *   (IEI 0x00: 8-bit reference, parts, part number) and esm_class 0x40: what every SMSC and handset
 *   understands, so the default;
 * - `sar`: one submit_sm per part, the SMPP 3.4 sar_msg_ref_num, sar_total_segments and
 *   sar_segment_seqnum TLVs telling the SMSC to build the header;
 * - `payload`: the whole text in one submit_sm's message_payload TLV, the SMSC splitting it (refused
 *   by many SMSCs).
 * Parts are cut as carriers count them (splitSms: 153 GSM-7 septets or 67 UCS-2 units, escape and
 * surrogate pairs kept whole), the same parts the charge info counted.
 */
export const SMPP_LONG_MESSAGE_MODES = ['udh', 'sar', 'payload'] as const;
export type SmppLongMessageMode = (typeof SMPP_LONG_MESSAGE_MODES)[number];

/** The concatenation header of one part: UDHL 5, IEI 0 (8-bit reference), IE length 3, ref, total, seq. */
export function concatenationHeader(reference: number, total: number, sequence: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, sequence]);
}

const UDH_INDICATOR = 0x40;

export interface SubmitSettings {
  defaultSource: string;
  longMessages: SmppLongMessageMode;
  /** A new concatenation reference (0-65535; UDH keeps its low 8 bits): random, so parts of two texts to one phone never mix. */
  reference: () => number;
}

/** The submit_sm PDUs of one message, in order: one for a text that fits an SMS, one per part else. */
export function submitsFor(message: OutboundMessage, settings: SubmitSettings): smpp.SubmitSmOptions[] {
  const source = message.senderId ?? settings.defaultSource;
  const alphanumeric = /[A-Za-z]/.test(source);
  // The coding follows the text itself, since the bytes depend on it.
  const { encoding, segments } = splitSms(message.text);
  const common = {
    source_addr_ton: alphanumeric ? 5 : 1,
    source_addr_npi: alphanumeric ? 0 : 1,
    source_addr: alphanumeric ? source : digitsOnly(source),
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: digitsOnly(message.to),
    registered_delivery: 1,
    data_coding: encoding === 'GSM-7' ? 0 : 8,
  };
  if (segments.length === 1) return [{ ...common, short_message: message.text }];
  if (settings.longMessages === 'payload') return [{ ...common, message_payload: message.text }];
  const reference = settings.reference();
  const total = segments.length;
  return segments.map((segment, index) =>
    settings.longMessages === 'udh'
      ? {
          ...common,
          esm_class: UDH_INDICATOR,
          short_message: { udh: concatenationHeader(reference, total, index + 1), message: segment },
        }
      : {
          ...common,
          short_message: segment,
          sar_msg_ref_num: reference & 0xffff,
          sar_total_segments: total,
          sar_segment_seqnum: index + 1,
        },
  );
}
