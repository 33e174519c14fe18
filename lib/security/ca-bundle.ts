import { X509Certificate } from 'crypto';
import { isCaByBasicConstraints, keyUsagesOf } from './x509-extensions';

/** Any PEM block: its label and its base64 body. */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]+$/;

/** What a test or a document reports of one certificate of a bundle. */
export interface CaCertificateSummary {
  readonly subject: string;
  /** As X509Certificate prints it, e.g. `Dec  2 04:22:36 2036 GMT`. */
  readonly notAfter: string;
  readonly fingerprint256: string;
}

/**
 * The CA certificates a TLS client trusts for one endpoint that we do not issue (Vault, a private
 * object store): public data, written into the client's config (a ClusterSecretStore's or an
 * Issuer's `caBundle`, a ConfigMap or a public Secret), never the system roots of an image.
 *
 * Checked when it is made: only PEM `CERTIFICATE` blocks (a private key or stray text is refused,
 * so no key can ride along), each one parses, is a CA (basicConstraints CA:TRUE) and, when it has
 * a key usage extension, may sign certificates (keyCertSign). Expiry is deliberately not checked:
 * the clock would make rendering depend on the day it runs; the certificates' notAfter is in
 * `certificates` for tests and reviews. Several certificates are allowed: the old and the new
 * root while one is rotated, or a root and its intermediates.
 */
export class CaBundle {
  /** The bundle, or an Error whose message says what is wrong with the PEM. */
  public static fromPem(pem: string): CaBundle {
    const checked = check(pem);
    if (typeof checked === 'string') {
      throw new Error(`CaBundle: ${checked}`);
    }
    return new CaBundle(checked);
  }

  /** What is wrong with `pem` as a CA bundle (one sentence), or `undefined` when it is one. */
  public static problemOf(pem: string): string | undefined {
    const checked = check(pem);
    return typeof checked === 'string' ? checked : undefined;
  }

  /** The certificates, one PEM block each, in the order given, ending with a newline. */
  public readonly pem: string;

  private constructor(private readonly parsed: readonly X509Certificate[]) {
    this.pem = parsed.map((certificate) => certificate.toString().trim()).join('\n') + '\n';
  }

  /** The PEM, base64-encoded: what `caBundle` fields of type `format: byte` carry. */
  public get base64(): string {
    return Buffer.from(this.pem, 'utf8').toString('base64');
  }

  public get certificates(): CaCertificateSummary[] {
    return this.parsed.map((certificate) => ({ subject: certificate.subject, notAfter: certificate.validTo, fingerprint256: certificate.fingerprint256 }));
  }
}

/** The parsed certificates, or what is wrong. */
function check(pem: unknown): X509Certificate[] | string {
  if (typeof pem !== 'string' || pem.trim() === '') {
    return 'no PEM certificate in it';
  }
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  const foreign = blocks.find((block) => block[1] !== 'CERTIFICATE');
  if (foreign) {
    return `it holds a "${foreign[1]}" PEM block; a CA bundle holds only CERTIFICATE blocks (public data: never a key)`;
  }
  if (pem.replace(PEM_BLOCK, '').trim() !== '') {
    return 'it holds text outside its PEM CERTIFICATE blocks';
  }
  if (blocks.length === 0) {
    return 'no PEM certificate in it';
  }
  const certificates: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    const which = blocks.length === 1 ? 'the certificate' : `certificate ${index + 1} of ${blocks.length}`;
    if (!BASE64_BODY.test(block[2])) {
      return `${which} is not base64 PEM`;
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block[0]);
    } catch (error) {
      return `${which} does not parse as X.509 (${(error as Error).message})`;
    }
    const name = `${which} (${certificate.subject.replace(/\n/g, ', ')})`;
    let basicConstraintsCa: boolean;
    let usages: string[] | undefined;
    try {
      basicConstraintsCa = isCaByBasicConstraints(certificate.raw);
      usages = keyUsagesOf(certificate.raw);
    } catch (error) {
      return `${name} has extensions that do not parse (${(error as Error).message})`;
    }
    if (!basicConstraintsCa) {
      return `${name} is not a CA: it lacks basicConstraints CA:TRUE, so no TLS client accepts it as a trust anchor`;
    }
    if (usages !== undefined && !usages.includes('keyCertSign')) {
      return `${name} has a key usage extension without keyCertSign, so it cannot have signed a server certificate`;
    }
    // OpenSSL's own CA check, as the clients (Go's and OpenSSL's x509 alike) apply it.
    if (!certificate.ca) {
      return `${name} is not accepted as a CA by OpenSSL's check`;
    }
    const repeated = certificates.findIndex((earlier) => earlier.fingerprint256 === certificate.fingerprint256);
    if (repeated >= 0) {
      return `${name} repeats certificate ${repeated + 1}`;
    }
    certificates.push(certificate);
  }
  return certificates;
}
