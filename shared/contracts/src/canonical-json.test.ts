import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members, whatever order the object was built in', () => {
    const built = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, u: undefined };
    const rebuilt = { a: { c: 'x', d: [3, { y: null, z: true }] }, b: 1 };
    expect(canonicalJson(built)).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson(rebuilt)).toBe(canonicalJson(built));
  });

  it('orders keys by UTF-16 code units and escapes keys and strings as JSON does', () => {
    expect(canonicalJson({ é: 1, Z: 2, a: 3, '"q"': 'line\nbreak' })).toBe(
      '{"\\"q\\"":"line\\nbreak","Z":2,"a":3,"é":1}',
    );
  });

  it('writes empty containers and top-level primitives as JSON does', () => {
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({ only: undefined })).toBe('{}');
    expect(canonicalJson('text')).toBe('"text"');
    expect(canonicalJson(12.5)).toBe('12.5');
    expect(canonicalJson(null)).toBe('null');
  });

  it('leaves an array item with no JSON form empty, as a join of its items would', () => {
    expect(canonicalJson([1, undefined, 2])).toBe('[1,,2]');
  });
});
