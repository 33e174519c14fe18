import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { listYamlFiles } from '../../../../tools/validation/load-manifests';
import { K8sObject } from './builders';
import { toYaml } from './platform-fixtures';

/** One of the breakages the "Done when" list puts into a copy of dist/. */
export interface FolderMutation {
  readonly breaks: string;
  readonly ruleId: string;
  /** Picks the object to break. */
  readonly target: (object: K8sObject) => boolean;
  readonly mutate: (object: K8sObject) => void;
}

const isKind = (kind: string) => (object: K8sObject) => object.kind === kind;
const isCustomResource = (object: K8sObject) => {
  const group = String(object.apiVersion).split('/')[0];
  return String(object.apiVersion).includes('/') && group.includes('.') && !group.endsWith('.k8s.io') && typeof object.spec === 'object';
};
const podSpec = (deployment: K8sObject) => (deployment.spec as K8sObject).template as K8sObject;
const firstContainer = (deployment: K8sObject) => ((podSpec(deployment).spec as K8sObject).containers as K8sObject[])[0];

export const DONE_WHEN_MUTATIONS: readonly FolderMutation[] = [
  {
    breaks: 'an unknown field deep in a pod spec',
    ruleId: 'SCHEMA-UNKNOWN-FIELD',
    target: isKind('Deployment'),
    mutate: (object) => (firstContainer(object).securityContext = { ...(firstContainer(object).securityContext as K8sObject), runAsRoot: false }),
  },
  { breaks: 'an unknown field in a CRD object', ruleId: 'SCHEMA-UNKNOWN-FIELD', target: isCustomResource, mutate: (object) => ((object.spec as K8sObject).notAField = true) },
  {
    breaks: 'a string where an integer belongs',
    ruleId: 'SCHEMA-TYPE',
    target: isKind('Service'),
    mutate: (object) => {
      const port = ((object.spec as K8sObject).ports as K8sObject[])[0];
      port.port = String(port.port);
    },
  },
  {
    breaks: 'a privileged container',
    ruleId: 'PSS-RESTRICTED-PRIVILEGED',
    target: isKind('Deployment'),
    mutate: (object) => (firstContainer(object).securityContext = { ...(firstContainer(object).securityContext as K8sObject), privileged: true }),
  },
  { breaks: 'a container without limits', ruleId: 'KUBE-SCORE-CONTAINER-RESOURCES', target: isKind('Deployment'), mutate: (object) => delete (firstContainer(object).resources as K8sObject).limits },
  {
    breaks: 'a Service selecting nothing',
    ruleId: 'XREF-SERVICE-SELECTOR',
    target: isKind('Service'),
    mutate: (object) => ((object.spec as K8sObject).selector = { 'app.kubernetes.io/name': 'selects-nothing' }),
  },
  {
    breaks: 'a NetworkPolicy selecting nothing',
    ruleId: 'XREF-NETWORKPOLICY-SELECTOR',
    target: isKind('NetworkPolicy'),
    mutate: (object) => ((object.spec as K8sObject).podSelector = { matchLabels: { 'app.kubernetes.io/name': 'selects-nothing' } }),
  },
  { breaks: 'a missing ServiceAccount', ruleId: 'XREF-SERVICE-ACCOUNT', target: isKind('Deployment'), mutate: (object) => ((podSpec(object).spec as K8sObject).serviceAccountName = 'missing-service-account') },
  {
    breaks: 'a hostPath volume',
    ruleId: 'PSS-RESTRICTED-HOST-PATH',
    target: isKind('Deployment'),
    mutate: (object) => {
      const spec = podSpec(object).spec as K8sObject;
      spec.volumes = [...((spec.volumes as K8sObject[] | undefined) ?? []), { name: 'host', hostPath: { path: '/var/lib' } }];
    },
  },
];

function readObjects(file: string): K8sObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

/** Whether any YAML file under `dir` holds an object the mutation can break. */
export function canApply(dir: string, mutation: FolderMutation): boolean {
  return listYamlFiles(dir).some((file) => readObjects(path.join(dir, file)).some(mutation.target));
}

/** Breaks the first matching object of the folder in place and rewrites its file. */
export function applyToFolder(dir: string, mutation: FolderMutation): string {
  for (const file of listYamlFiles(dir)) {
    const objects = readObjects(path.join(dir, file));
    const target = objects.find(mutation.target);
    if (target) {
      mutation.mutate(target);
      fs.writeFileSync(path.join(dir, file), toYaml(objects));
      return file;
    }
  }
  throw new Error(`no object in ${dir} to break with ${mutation.breaks}`);
}
