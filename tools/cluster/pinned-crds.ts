import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { readSchemaLock, resolveLockedFile, ResolveOptions, SchemaLock } from '../schemas/schema-lock';
import { KubeObject } from './kube-client';

/**
 * Every CustomResourceDefinition pinned in schemas.lock.json (Argo CD, Argo Rollouts, cert-manager,
 * CloudNativePG, External Secrets, KEDA, Kyverno, Prometheus Operator, the RabbitMQ operators),
 * read from the mirror with its checksum checked (tools/schemas/schema-lock.ts): the same
 * definitions the gate validates against, never a copy.
 */
export function pinnedCrds(lock: SchemaLock = readSchemaLock(), options: ResolveOptions = {}, include: (path: string) => boolean = () => true): KubeObject[] {
  return lock.files
    .filter((entry) => /\.ya?ml$/.test(entry.path) && include(entry.path))
    .flatMap((entry) => parseAllDocuments(fs.readFileSync(resolveLockedFile(entry, options), 'utf8')).map((document) => document.toJS() as KubeObject | null))
    .filter((object): object is KubeObject => object !== null && object.kind === 'CustomResourceDefinition');
}

/**
 * Argo CD's own CRDs (Application, ApplicationSet, AppProject): a cluster has them from its
 * bootstrap, when Argo CD is installed, before any add-on Application syncs.
 */
export function argoCdCrds(): KubeObject[] {
  return pinnedCrds(readSchemaLock(), {}, (path) => path.startsWith('argo-cd-'));
}
