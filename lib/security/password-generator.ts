import { Construct } from 'constructs';
import { Password } from '../../imports/generators.external-secrets.io';
import { PLATFORM_NAME } from '../platform/labels';

export interface PasswordGeneratorProps {
  /** Namespace of the generator; ExternalSecrets reference generators of their own namespace only. */
  readonly namespace: string;
  /**
   * Name of the Password object.
   * @default 'platform-password'
   */
  readonly name?: string;
  /**
   * Characters per password. 32 letters and digits carry about 190 bits, and make a 32-byte key
   * where one is needed (oauth2-proxy's cookie secret must be 16, 24 or 32 bytes).
   * @default 32
   * @see https://external-secrets.io/v0.9.20/api/generator/password/
   */
  readonly length?: number;
  /**
   * How many of the characters are digits.
   * @default 8
   */
  readonly digits?: number;
}

/**
 * External Secrets' Password generator (`generators.external-secrets.io/v1alpha1`, shipped with the
 * External Secrets 0.9.20 chart): an ExternalSecret whose `dataFrom` names it gets a new random
 * `password` when External Secrets writes the Secret. No symbols: the passwords go into AMQP URIs,
 * Redis ACLs and libpq settings, where a symbol would need escaping somewhere.
 */
export class PasswordGenerator extends Construct {
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: PasswordGeneratorProps) {
    super(scope, id);
    const length = props.length ?? 32;
    const digits = props.digits ?? 8;
    if (!Number.isInteger(length) || length < 16 || length > 128) {
      throw new Error(`PasswordGenerator ${id}: length is ${length}; use a whole number from 16 to 128 (32 by default)`);
    }
    if (!Number.isInteger(digits) || digits < 0 || digits > length) {
      throw new Error(`PasswordGenerator ${id}: digits is ${digits}; use a whole number from 0 to length (${length})`);
    }
    this.name = props.name ?? 'platform-password';
    new Password(this, 'Resource', {
      metadata: { name: this.name, namespace: props.namespace, labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME, 'app.kubernetes.io/managed-by': 'cdk8s' } },
      spec: { length, digits, symbols: 0, noUpper: false, allowRepeat: true },
    });
  }

  /** The `sourceRef.generatorRef` of an ExternalSecret's `dataFrom` entry that uses this generator. */
  public generatorRef(): { apiVersion: string; kind: string; name: string } {
    return { apiVersion: Password.GVK.apiVersion, kind: Password.GVK.kind, name: this.name };
  }
}
