import { toStrictSchema } from '../../../tools/validation/schema/strict-schema';

describe('toStrictSchema, like kubeconform -strict', () => {
  test('closes every object schema that lists properties, at any depth', () => {
    const strict = toStrictSchema({ type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer' } } } } });
    expect(strict).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: { spec: { type: 'object', additionalProperties: false, properties: { replicas: { type: 'integer' } } } },
    });
  });

  test('keeps a declared additionalProperties (string maps such as labels stay maps)', () => {
    expect(toStrictSchema({ type: 'object', properties: { a: {} }, additionalProperties: { type: 'string' } })).toEqual({
      type: 'object',
      properties: { a: {} },
      additionalProperties: { type: 'string' },
    });
  });

  test('leaves x-kubernetes-preserve-unknown-fields nodes open', () => {
    expect(toStrictSchema({ type: 'object', properties: { a: {} }, 'x-kubernetes-preserve-unknown-fields': true })).toEqual({ type: 'object', properties: { a: {} } });
  });

  test('turns x-kubernetes-int-or-string into an integer-or-string type', () => {
    expect(toStrictSchema({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true, pattern: '^\\d+%$' })).toEqual({ type: ['integer', 'string'], pattern: '^\\d+%$' });
  });

  test('turns a oneOf of plain types (IntOrString, Quantity) into a type list', () => {
    expect(toStrictSchema({ oneOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({ type: ['string', 'number'] });
  });

  test('turns nullable into a null type', () => {
    expect(toStrictSchema({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
  });

  test('drops descriptions and formats Ajv does not check, keeps enums and defaults as data', () => {
    const strict = toStrictSchema({ type: 'string', description: 'x', format: 'quantity', enum: ['A'], default: { properties: {} } });
    expect(strict).toEqual({ type: 'string', enum: ['A'], default: { properties: {} } });
  });

  test('never modifies its input', () => {
    const input = { type: 'object', properties: { a: { type: 'object', properties: {} } } };
    const copy = JSON.parse(JSON.stringify(input));
    toStrictSchema(input);
    expect(input).toEqual(copy);
  });
});
