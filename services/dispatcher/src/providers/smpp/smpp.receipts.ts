import type smpp from 'smpp';
import { boundedReceiptCode, type DeliveryReceipt } from '../../receipts/delivery-receipt.js';

/** esm_class bits 2-5: the message type of a deliver_sm. */
const MESSAGE_TYPE_MASK = 0x3c;
const SMSC_DELIVERY_RECEIPT = 0x04;
const INTERMEDIATE_NOTIFICATION = 0x20;

/** SMPP 3.4 message_state (TLV 0x0427), by value. */
const MESSAGE_STATES: Record<number, string> = {
  0: 'SCHEDULED',
  1: 'ENROUTE',
  2: 'DELIVERED',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIVERABLE',
  6: 'ACCEPTED',
  7: 'UNKNOWN',
  8: 'REJECTED',
  9: 'SKIPPED',
};

/**
 * What a state says, in the TLV's words and the receipt text's (`stat:`, SMPP 3.4 appendix B).
 * ACCEPTED (read on the subscriber's behalf by customer service) and UNKNOWN are final states of the
 * SMSC but no delivery: they stay pending, like en route.
 */
const OUTCOMES: Record<string, DeliveryReceipt['outcome']> = {
  DELIVERED: 'delivered',
  DELIVRD: 'delivered',
  EXPIRED: 'undelivered',
  DELETED: 'undelivered',
  UNDELIVERABLE: 'undelivered',
  UNDELIV: 'undelivered',
  REJECTED: 'undelivered',
  REJECTD: 'undelivered',
};

/** `id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`: the fields we read. */
const TEXT_FIELD = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S+)`, 'i');

function receiptText(pdu: smpp.Pdu): string {
  const message = pdu.short_message?.message ?? pdu.message_payload?.message;
  if (message === undefined) return '';
  return typeof message === 'string' ? message : message.toString('latin1');
}

/** `net_<type>_<code>` from network_error_code (a network type octet, then a two-octet code). */
function networkErrorOf(value: unknown): string | undefined {
  if (!Buffer.isBuffer(value) || value.length !== 3) return undefined;
  return `net_${value.readUInt8(0)}_${value.readUInt16BE(1)}`;
}

/**
 * Reads a deliver_sm as a delivery receipt (esm_class says SMSC delivery receipt or intermediate
 * notification), or undefined for anything else (a mobile-originated message, which otpflow does not
 * take). The TLVs of SMPP 3.4 (`receipted_message_id`, `message_state`, `network_error_code`) win
 * over the receipt text, which older SMSCs send alone. The receipt's `done date` is not used to order
 * receipts: its time zone is the SMSC's and unstated; one session delivers them in order.
 */
export function readDeliveryReceipt(pdu: smpp.Pdu): DeliveryReceipt | undefined {
  const type = (pdu.esm_class ?? 0) & MESSAGE_TYPE_MASK;
  if (type !== SMSC_DELIVERY_RECEIPT && type !== INTERMEDIATE_NOTIFICATION) return undefined;
  const text = receiptText(pdu);
  const id = pdu.receipted_message_id ?? TEXT_FIELD('id').exec(text)?.[1];
  const state =
    pdu.message_state !== undefined ? MESSAGE_STATES[pdu.message_state] : TEXT_FIELD('stat').exec(text)?.[1];
  if (!id || !state) throw new Error('a delivery receipt without a message id or a state');
  const word = state.toUpperCase();
  const outcome = type === INTERMEDIATE_NOTIFICATION ? 'pending' : (OUTCOMES[word] ?? 'pending');
  const textError = TEXT_FIELD('err').exec(text)?.[1];
  const errorCode =
    networkErrorOf(pdu.network_error_code) ?? (textError && !/^0+$/.test(textError) ? textError : undefined);
  return {
    providerMessageId: id,
    outcome,
    vendorStatus: boundedReceiptCode(word),
    ...(outcome === 'undelivered' ? { errorCode: boundedReceiptCode(errorCode ?? word) } : {}),
  };
}
