import { describe, expect, it } from 'vitest';
import { PayloadError } from '../core/errors.js';
import { recordingLogger } from '../core/logger.js';
import { x } from '../../test/support/xml.js';
import { dataFormCodec, dataForm, findField, formField, formType } from './form.js';

describe('dataFormCodec', () => {
  it('decodes a field without type, an unknown type, and media as extra', () => {
    const form = dataFormCodec.decode(x`
      <x xmlns="jabber:x:data" type="form">
        <field var="a"><value>1</value></field>
        <field var="b" type="x-custom"/>
        <field var="c" type="text-single">
          <media xmlns="urn:xmpp:media-element" height="80" width="290"><uri type="audio/x-wav">http://x/a.wav</uri></media>
        </field>
      </x>`);
    expect(form.fields[0]).toStrictEqual(formField({ var: 'a', values: ['1'] }));
    expect(form.fields[1]).toStrictEqual(formField({ var: 'b', type: 'x-custom' }));
    expect(form.fields[2]?.extra?.map((e) => e.toString())).toEqual([
      '<media xmlns="urn:xmpp:media-element" height="80" width="290"><uri type="audio/x-wav">http://x/a.wav</uri></media>',
    ]);
  });

  it('drops an option without value (logged) and keeps the rest', () => {
    const logger = recordingLogger();
    const form = dataFormCodec.decode(
      x`<x xmlns="jabber:x:data" type="form"><field var="l" type="list-single"><option label="broken"/><option><value>ok</value></option></field></x>`,
      { logger },
    );
    expect(form.fields[0]?.options).toStrictEqual([{ value: 'ok' }]);
    expect(logger.records.map((r) => r.message)).toEqual(['dropping malformed child']);
  });

  it('rejects a form without a valid type', () => {
    expect(() => dataFormCodec.decode(x`<x xmlns="jabber:x:data"/>`)).toThrow(PayloadError);
    expect(() => dataFormCodec.decode(x`<x xmlns="jabber:x:data" type="bogus"/>`)).toThrow(PayloadError);
  });

  it('encodes in schema order without repeating the namespace', () => {
    const el = dataFormCodec.encode(
      dataForm({
        type: 'result',
        title: 'T',
        instructions: ['i1', 'i2'],
        fields: [
          formField({
            var: 'f',
            type: 'list-single',
            label: 'L',
            desc: 'D',
            required: true,
            values: ['v'],
            options: [{ label: 'V', value: 'v' }],
          }),
        ],
        reported: [formField({ var: 'c' })],
        items: [[formField({ var: 'c', values: ['1'] })]],
      }),
    );
    expect(el.toString()).toBe(
      '<x xmlns="jabber:x:data" type="result"><title>T</title><instructions>i1</instructions><instructions>i2</instructions>' +
        '<field var="f" type="list-single" label="L"><desc>D</desc><required/><value>v</value><option label="V"><value>v</value></option></field>' +
        '<reported><field var="c"/></reported><item><field var="c"><value>1</value></field></item></x>',
    );
  });
});

describe('formType / findField', () => {
  it('reads the hidden FORM_TYPE field', () => {
    const form = dataForm({ type: 'form', fields: [formField({ var: 'FORM_TYPE', type: 'hidden', values: ['urn:a'] })] });
    expect(formType(form)).toBe('urn:a');
    expect(formType(dataForm({ type: 'submit', fields: [formField({ var: 'FORM_TYPE', values: ['urn:b'] })] }))).toBe('urn:b');
    expect(
      formType(dataForm({ type: 'form', fields: [formField({ var: 'FORM_TYPE', type: 'text-single', values: ['urn:c'] })] })),
    ).toBeUndefined();
    expect(formType(dataForm({ type: 'form' }))).toBeUndefined();
    expect(findField(form, 'FORM_TYPE')?.values).toEqual(['urn:a']);
    expect(findField(form, 'nope')).toBeUndefined();
  });
});
