/**
 * The in-band registration query (`<query xmlns='jabber:iq:register'/>`, XEP-0077) as MUC
 * uses it to reserve a nick (XEP-0045 §7.10): a data form to fill in, or the note that the
 * user is already registered.
 */
import { type DataForm, DataFormCodec } from '../../forms/form.js';
import { type Codec, element } from '../../xml/codec.js';
import { child, childText, flag } from '../../xml/fields.js';

/** The `jabber:iq:register` namespace (XEP-0077). */
export const NS_REGISTER = 'jabber:iq:register';

/** `<query xmlns='jabber:iq:register'/>`. */
export interface RegisterQuery {
  /** `<registered/>`: the user is already registered. */
  registered: boolean;
  /** `<instructions/>`: text for the user (e.g. a URL to register on the web). */
  instructions?: string;
  /** `<username/>`: with `registered`, the registered nick (XEP-0045 §7.10). */
  username?: string;
  /** `<nick/>`: the XEP-0077 legacy nick field. */
  nick?: string;
  /** `<remove/>`: cancel the registration. */
  remove: boolean;
  /** The data form to fill in (type `form`), or its submission (type `submit`). */
  form?: DataForm;
}

/**
 * Codec of `<query xmlns='jabber:iq:register'/>`. A malformed data form inside is dropped
 * (logged), the rest kept.
 *
 * @example
 * ```ts
 * registerQuery.encode({ registered: false, remove: false, form: submission });
 * ```
 */
export const registerQuery: Codec<RegisterQuery> = element<RegisterQuery>(NS_REGISTER, 'query', {
  registered: flag('registered'),
  instructions: childText('instructions'),
  username: childText('username'),
  nick: childText('nick'),
  remove: flag('remove'),
  form: child(DataFormCodec),
});
