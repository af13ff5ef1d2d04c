/** XEP-0030 service discovery. */
export {
  type DiscoIdentity,
  type DiscoInfo,
  type DiscoItem,
  type DiscoItems,
  type DiscoOptions,
  discoIdentityCodec,
  discoInfoCodec,
  discoItemCodec,
  discoItemsCodec,
  discoInfo,
  discoItems,
} from './disco.js';
