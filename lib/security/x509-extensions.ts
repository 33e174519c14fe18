/**
 * The X.509 basic constraints and key usage extensions (RFC 5280 4.2.1.9, 4.2.1.3) of a DER
 * certificate. Node's X509Certificate folds both into one answer (`ca`, OpenSSL's CA check) and
 * does not report the key usage bits, so they are read from the DER here: Certificate ->
 * tbsCertificate -> [3] extensions -> the extension by its id -> its value.
 */

/** The key usage bits in RFC 5280 order: bit 0 is the most significant bit of the first byte. */
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

/** DER of the OBJECT IDENTIFIERs 2.5.29.15 (id-ce-keyUsage) and 2.5.29.19 (id-ce-basicConstraints), without tag and length. */
const KEY_USAGE_OID = Buffer.from([0x55, 0x1d, 0x0f]);
const BASIC_CONSTRAINTS_OID = Buffer.from([0x55, 0x1d, 0x13]);

const SEQUENCE = 0x30;
const OBJECT_IDENTIFIER = 0x06;
const BOOLEAN = 0x01;
const OCTET_STRING = 0x04;
const BIT_STRING = 0x03;
/** `[3] EXPLICIT` around the extensions of a v3 tbsCertificate. */
const EXTENSIONS_TAG = 0xa3;

interface Element {
  readonly tag: number;
  /** The content octets. */
  readonly content: Buffer;
}

/** The DER elements that follow each other in `data`. */
function elements(data: Buffer): Element[] {
  const result: Element[] = [];
  let offset = 0;
  while (offset < data.length) {
    const tag = data[offset];
    let length = data[offset + 1];
    let start = offset + 2;
    if (length === undefined) {
      throw new Error('truncated DER');
    }
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0 || octets > 4 || start + octets > data.length) {
        throw new Error('unsupported DER length');
      }
      length = data.subarray(start, start + octets).reduce((value, octet) => value * 256 + octet, 0);
      start += octets;
    }
    if (start + length > data.length) {
      throw new Error('truncated DER');
    }
    result.push({ tag, content: data.subarray(start, start + length) });
    offset = start + length;
  }
  return result;
}

function only(data: Buffer, tag: number): Element {
  const [element] = elements(data);
  if (element?.tag !== tag) {
    throw new Error(`expected DER tag 0x${tag.toString(16)}`);
  }
  return element;
}

/** The content of the extension `oid` of a DER certificate (inside its OCTET STRING), or `undefined` when it has none. */
function extensionValue(der: Buffer, oid: Buffer): Buffer | undefined {
  const certificate = only(der, SEQUENCE);
  const [tbsCertificate] = elements(certificate.content);
  if (tbsCertificate?.tag !== SEQUENCE) {
    throw new Error('no tbsCertificate');
  }
  const extensions = elements(tbsCertificate.content).find((element) => element.tag === EXTENSIONS_TAG);
  if (extensions === undefined) {
    return undefined;
  }
  for (const extension of elements(only(extensions.content, SEQUENCE).content)) {
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const [id, ...rest] = elements(extension.content);
    if (id?.tag === OBJECT_IDENTIFIER && id.content.equals(oid)) {
      const value = rest.find((element) => element.tag === OCTET_STRING);
      if (value === undefined) {
        throw new Error('extension without a value');
      }
      return value.content;
    }
  }
  return undefined;
}

/**
 * The key usages a DER certificate asserts, or `undefined` when it has no key usage extension
 * (then every usage is allowed, RFC 5280 4.2.1.3). Throws on DER it cannot read.
 */
export function keyUsagesOf(der: Buffer): KeyUsageName[] | undefined {
  const value = extensionValue(der, KEY_USAGE_OID);
  if (value === undefined) {
    return undefined;
  }
  const bits = only(value, BIT_STRING).content;
  // The first octet counts the unused bits of the last one; the named bits follow.
  return KEY_USAGE_NAMES.filter((_name, bit) => {
    const octet = bits[1 + Math.floor(bit / 8)];
    return octet !== undefined && (octet & (0x80 >> bit % 8)) !== 0;
  });
}

/** Whether a DER certificate's basic constraints say CA:TRUE (absent, or cA absent, is false). Throws on DER it cannot read. */
export function isCaByBasicConstraints(der: Buffer): boolean {
  const value = extensionValue(der, BASIC_CONSTRAINTS_OID);
  if (value === undefined) {
    return false;
  }
  // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
  const [first] = elements(only(value, SEQUENCE).content);
  return first?.tag === BOOLEAN && first.content[0] !== 0;
}
