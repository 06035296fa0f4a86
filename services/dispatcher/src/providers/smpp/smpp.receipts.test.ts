import type smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { readDeliveryReceipt } from './smpp.receipts.js';

/** A deliver_sm as node-smpp decodes it: the fields read, the rest left out. */
const deliverSm = (fields: Partial<smpp.Pdu> & { text?: string }): smpp.Pdu => {
  const { text, ...rest } = fields;
  return {
    command: 'deliver_sm',
    esm_class: 0x04,
    ...(text !== undefined && { short_message: { message: text } }),
    ...rest,
  } as smpp.Pdu;
};
const text = (id: string, stat: string, err = '000') =>
  `id:${id} sub:001 dlvrd:001 submit date:2601011200 done date:2601011201 stat:${stat} err:${err} text:Your code`;

describe('smpp delivery receipts', () => {
  it('reads the SMPP 3.4 TLVs, which win over the text', () => {
    expect(
      readDeliveryReceipt(
        deliverSm({ receipted_message_id: 'ab12', message_state: 2, text: text('other', 'UNDELIV') }),
      ),
    ).toEqual({ providerMessageId: 'ab12', outcome: 'delivered', vendorStatus: 'DELIVERED' });
  });

  it('reads the receipt text of an SMSC that sends no TLVs', () => {
    expect(readDeliveryReceipt(deliverSm({ text: text('0123456789', 'DELIVRD') }))).toEqual({
      providerMessageId: '0123456789',
      outcome: 'delivered',
      vendorStatus: 'DELIVRD',
    });
    expect(readDeliveryReceipt(deliverSm({ text: text('7', 'UNDELIV', '034') }))).toEqual({
      providerMessageId: '7',
      outcome: 'undelivered',
      vendorStatus: 'UNDELIV',
      errorCode: '034',
    });
  });

  it.each([
    [3, 'undelivered'],
    [4, 'undelivered'],
    [5, 'undelivered'],
    [8, 'undelivered'],
    [1, 'pending'],
    [6, 'pending'],
    [7, 'pending'],
  ])('maps message_state %i to %s', (state, outcome) => {
    expect(readDeliveryReceipt(deliverSm({ receipted_message_id: 'x', message_state: state }))).toMatchObject(
      {
        outcome,
      },
    );
  });

  it.each([
    ['EXPIRED', 'undelivered'],
    ['DELETED', 'undelivered'],
    ['REJECTD', 'undelivered'],
    ['ACCEPTD', 'pending'],
    ['UNKNOWN', 'pending'],
    ['ENROUTE', 'pending'],
  ])('maps stat:%s to %s', (stat, outcome) => {
    expect(readDeliveryReceipt(deliverSm({ text: text('x', stat) }))).toMatchObject({ outcome });
  });

  it('names the network error of a failed message, else the err: code, else the state', () => {
    const network = Buffer.from([0x03, 0x00, 0x22]);
    expect(
      readDeliveryReceipt(
        deliverSm({ receipted_message_id: 'x', message_state: 5, network_error_code: network }),
      ),
    ).toMatchObject({ errorCode: 'net_3_34' });
    expect(readDeliveryReceipt(deliverSm({ text: text('x', 'UNDELIV', '000') }))).toMatchObject({
      errorCode: 'UNDELIV',
    });
  });

  it('takes an intermediate notification as no final word, whatever its state', () => {
    expect(
      readDeliveryReceipt(deliverSm({ esm_class: 0x20, receipted_message_id: 'x', message_state: 2 })),
    ).toMatchObject({ outcome: 'pending' });
  });

  it('leaves mobile-originated messages alone, and refuses a receipt naming no message', () => {
    expect(readDeliveryReceipt(deliverSm({ esm_class: 0x00, text: 'STOP' }))).toBeUndefined();
    // The UDH indicator bit does not make a message a receipt.
    expect(readDeliveryReceipt(deliverSm({ esm_class: 0x40, text: 'hello' }))).toBeUndefined();
    expect(() => readDeliveryReceipt(deliverSm({ text: 'stat:DELIVRD' }))).toThrow();
  });
});
