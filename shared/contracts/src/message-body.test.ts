import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseMessageBody } from './message-body.js';

const schema = z.object({ id: z.string() });

describe('a message body read through its schema', () => {
  it('answers the value of a body of that shape', () => {
    expect(parseMessageBody(schema, Buffer.from('{"id":"a"}'))).toEqual({ id: 'a' });
  });

  it('answers nothing for a body that is not JSON or not of that shape', () => {
    expect(parseMessageBody(schema, Buffer.from('{"id":'))).toBeUndefined();
    expect(parseMessageBody(schema, Buffer.from('{"id":1}'))).toBeUndefined();
    expect(parseMessageBody(schema, Buffer.from('null'))).toBeUndefined();
  });
});
