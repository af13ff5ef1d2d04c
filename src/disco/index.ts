/** XEP-0030 service discovery. */
export {
  type DiscoIdentity,
  type DiscoInfo,
  type DiscoItem,
  type DiscoItems,
  type DiscoOptions,
  DiscoIdentityCodec,
  DiscoInfoCodec,
  DiscoItemCodec,
  DiscoItemsCodec,
  discoInfo,
  discoItems,
} from './disco.js';
