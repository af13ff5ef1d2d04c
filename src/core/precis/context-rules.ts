/**
 * The contextual rules of RFC 5892 Appendix A (used by PRECIS, RFC 8264 §9.4): CONTEXTJ for
 * ZERO WIDTH NON-JOINER / JOINER and CONTEXTO for the few punctuation marks and digits that
 * are valid only in some neighbourhoods.
 *
 * JavaScript regular expressions expose neither Canonical_Combining_Class nor Joining_Type,
 * so those two come from compact range tables generated from Unicode 14.0 (the data of
 * Perl's Unicode::UCD on the build machine). Code points added in later Unicode versions are
 * therefore treated conservatively (a newer virama does not license a ZWJ; a newer joining
 * letter does not license a ZWNJ): the string is rejected, never wrongly accepted.
 */

/** Parse `"620,626,62A-62E"` (hex) into sorted inclusive ranges. */
function ranges(spec: string): Uint32Array {
  const parts = spec.split(',');
  const out = new Uint32Array(parts.length * 2);
  parts.forEach((p, i) => {
    const [a, b] = p.split('-');
    out[2 * i] = parseInt(a!, 16);
    out[2 * i + 1] = parseInt(b ?? a!, 16);
  });
  return out;
}

function inRanges(table: Uint32Array, cp: number): boolean {
  let lo = 0;
  let hi = table.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < table[2 * mid]!) hi = mid - 1;
    else if (cp > table[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Canonical_Combining_Class = 9 (Virama), Unicode 14.0. */
const VIRAMA = ranges(
  '94D,9CD,A4D,ACD,B4D,BCD,C4D,CCD,D3B-D3C,D4D,DCA,E3A,EBA,F84,1039-103A,1714-1715,1734,17D2,1A60,1B44,' +
    '1BAA-1BAB,1BF2-1BF3,2D7F,A806,A82C,A8C4,A953,A9C0,AAF6,ABED,10A3F,11046,11070,1107F,110B9,11133-11134,' +
    '111C0,11235,112EA,1134D,11442,114C2,115BF,1163F,116B6,1172B,11839,1193D-1193E,119E0,11A34,11A47,11A99,' +
    '11C3F,11D44-11D45,11D97',
);

/** Joining_Type = Dual_Joining (D), Unicode 14.0. */
const JT_D =
  '620,626,628,62A-62E,633-63F,641-647,649-64A,66E-66F,678-687,69A-6BF,6C1-6C2,6CC,6CE,6D0-6D1,6FA-6FC,6FF,' +
  '712-714,71A-71D,71F-727,729,72B,72D-72E,74E-758,75C-76A,76D-770,772,775-777,77A-77F,7CA-7EA,841-845,848,' +
  '84A-853,855,860,862-865,868,886,889-88D,8A0-8A9,8AF-8B0,8B3-8B8,8BA-8C8,1807,1820-1878,1887-18A8,18AA,' +
  'A840-A871,10AC0-10AC4,10AD3-10AD6,10AD8-10ADC,10ADE-10AE0,10AEB-10AEE,10B80,10B82,10B86-10B88,10B8A-10B8B,' +
  '10B8D,10B90,10BAD-10BAE,10D01-10D21,10D23,10F30-10F32,10F34-10F44,10F51-10F53,10F70-10F73,10F76-10F81,' +
  '10FB0,10FB2-10FB3,10FB8,10FBB-10FBC,10FBE-10FBF,10FC1,10FC4,10FCA,1E900-1E943';
/** Joining_Type = Left_Joining (L), Unicode 14.0. */
const JT_L = 'A872,10ACD,10AD7,10D00,10FCB';
/** Joining_Type = Right_Joining (R), Unicode 14.0. */
const JT_R =
  '622-625,627,629,62F-632,648,671-673,675-677,688-699,6C0,6C3-6CB,6CD,6CF,6D2-6D3,6D5,6EE-6EF,710,715-719,' +
  '71E,728,72A,72C,72F,74D,759-75B,76B-76C,771,773-774,778-779,840,846-847,849,854,856-858,867,869-86A,870-882,' +
  '88E,8AA-8AC,8AE,8B1-8B2,8B9,10AC5,10AC7,10AC9-10ACA,10ACE-10AD2,10ADD,10AE1,10AE4,10AEF,10B81,10B83-10B85,' +
  '10B89,10B8C,10B8E-10B8F,10B91,10BA9-10BAC,10D22,10F33,10F54,10F74-10F75,10FB4-10FB6,10FB9-10FBA,10FBD,' +
  '10FC2-10FC3,10FC9';

/** Joining_Type L or D: may join to the following character. */
const JOINS_RIGHTWARD = sortRanges(ranges(`${JT_D},${JT_L}`));
/** Joining_Type R or D: may join to the preceding character. */
const JOINS_LEFTWARD = sortRanges(ranges(`${JT_D},${JT_R}`));

function sortRanges(t: Uint32Array): Uint32Array {
  const pairs: [number, number][] = [];
  for (let i = 0; i < t.length; i += 2) pairs.push([t[i]!, t[i + 1]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  return Uint32Array.from(pairs.flat());
}

/**
 * Joining_Type = Transparent (T). In Unicode 14.0 this is exactly gc ∈ {Mn, Me, Cf} minus the
 * code points below, plus U+1E94B.
 */
const RE_MARK_OR_FORMAT = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const NOT_TRANSPARENT = ranges('600-605,6DD,890-891,8E2,180E,200C-200D,2066-2069,110BD,110CD');

function isTransparent(cp: number): boolean {
  if (cp === 0x1e94b) return true;
  return RE_MARK_OR_FORMAT.test(String.fromCodePoint(cp)) && !inRanges(NOT_TRANSPARENT, cp);
}

/** True when the code point has Canonical_Combining_Class Virama (Unicode 14.0 table). */
export function isVirama(cp: number): boolean {
  return inRanges(VIRAMA, cp);
}

/**
 * RFC 5892 A.1 / A.2: whether the ZWNJ (U+200C) or ZWJ (U+200D) at index `i` of `cps` is
 * allowed by its context.
 */
export function contextJAllows(cps: readonly number[], i: number): boolean {
  const before = cps[i - 1];
  if (before !== undefined && isVirama(before)) return true;
  if (cps[i] !== 0x200c) return false;
  // ZWNJ: (Joining_Type:{L,D})(Joining_Type:T)* ZWNJ (Joining_Type:T)*(Joining_Type:{R,D})
  let j = i - 1;
  while (j >= 0 && isTransparent(cps[j]!)) j--;
  if (j < 0 || !inRanges(JOINS_RIGHTWARD, cps[j]!)) return false;
  let k = i + 1;
  while (k < cps.length && isTransparent(cps[k]!)) k++;
  return k < cps.length && inRanges(JOINS_LEFTWARD, cps[k]!);
}

const RE_GREEK = /^\p{Script=Greek}$/u;
const RE_HEBREW = /^\p{Script=Hebrew}$/u;
const RE_KANA_HAN = /^[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]$/u;

function scriptIs(re: RegExp, cp: number | undefined): boolean {
  return cp !== undefined && re.test(String.fromCodePoint(cp));
}

/** RFC 5892 A.3–A.9: whether the CONTEXTO code point at index `i` of `cps` is allowed. */
export function contextOAllows(cps: readonly number[], i: number): boolean {
  const cp = cps[i]!;
  switch (cp) {
    case 0x00b7: // MIDDLE DOT: only between two 'l' (Catalan l·l)
      return cps[i - 1] === 0x6c && cps[i + 1] === 0x6c;
    case 0x0375: // GREEK KERAIA: followed by a Greek character
      return scriptIs(RE_GREEK, cps[i + 1]);
    case 0x05f3: // HEBREW GERESH
    case 0x05f4: // HEBREW GERSHAYIM: preceded by a Hebrew character
      return scriptIs(RE_HEBREW, cps[i - 1]);
    case 0x30fb: // KATAKANA MIDDLE DOT: the string holds Hiragana, Katakana or Han
      return cps.some((c) => c !== 0x30fb && scriptIs(RE_KANA_HAN, c));
    default:
      if (cp >= 0x0660 && cp <= 0x0669) return !cps.some((c) => c >= 0x06f0 && c <= 0x06f9);
      if (cp >= 0x06f0 && cp <= 0x06f9) return !cps.some((c) => c >= 0x0660 && c <= 0x0669);
      return false;
  }
}
