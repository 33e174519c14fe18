import { parseImage } from '../container-image';
import { list, record, records, text } from '../json-access';
import { PathSegment } from '../json-path';
import { JsonObject, ManifestObject } from '../manifest';
import { containersOf, podTemplatesOf } from '../pod-templates';
import { RuleViolation } from '../rule';
import { AddonRule } from './addon-rule';

/**
 * Public registries whose host starts an image-like argument value (`--x=quay.io/a/b:v1`): a value
 * that begins with one of them names an image, whatever the flag is called.
 */
export const IMAGE_REGISTRIES: readonly string[] = [
  'docker.io', 'quay.io', 'ghcr.io', 'registry.k8s.io', 'k8s.gcr.io', 'gcr.io', 'public.ecr.aws', 'mcr.microsoft.com', 'cr.fluentbit.io', 'registry.gitlab.com', 'nvcr.io',
];

/** A flag that names a repository the operator completes with the version it deploys (prometheus-operator's `--thanos-default-base-image`): not a reference to pull. */
const BASE_IMAGE_FLAG = /base-image$/;

/** A tag that names one release: it carries a full `major.minor.patch` version. */
const EXACT_VERSION_TAG = /\d+\.\d+\.\d+/;

interface ImageUse {
  readonly image: string;
  readonly path: readonly PathSegment[];
  readonly what: string;
  /** The container's imagePullPolicy, for images a container runs. */
  readonly pullPolicy?: string;
}

/** Why an image reference floats, or undefined when it is pinned. */
export function floatingImageProblem(image: string, pullPolicy?: string): string | undefined {
  const { tag, digest } = parseImage(image);
  if (digest) {
    return undefined;
  }
  if (!tag) {
    return 'names no tag or digest, so the runtime pulls :latest';
  }
  if (tag === 'latest') {
    return 'is :latest';
  }
  if (pullPolicy === 'Always' && !EXACT_VERSION_TAG.test(tag)) {
    return `is pulled Always by the tag ${tag}, which names no exact version (x.y.z) and can move`;
  }
  return undefined;
}

/** Every image an object runs or passes on: containers (with their pull policy), `image` fields of custom resources, image-like args and env values. */
export function imageUsesOf(object: ManifestObject): ImageUse[] {
  if (object.kind === 'CustomResourceDefinition') {
    // Its schema describes `image` fields; it runs nothing.
    return [];
  }
  const uses: ImageUse[] = [];
  const containerPaths = new Set<string>();
  for (const pod of podTemplatesOf(object)) {
    for (const entry of containersOf(pod)) {
      containerPaths.add(JSON.stringify([...entry.path, 'image']));
      uses.push({ image: text(entry.container.image) ?? '', path: [...entry.path, 'image'], what: `container "${entry.name}"`, pullPolicy: text(entry.container.imagePullPolicy) });
      uses.push(...imageLikeValues(entry.container, entry.path, `container "${entry.name}"`));
    }
  }
  visit(object.body, [], (node, path) => {
    if (typeof node.image === 'string' && !containerPaths.has(JSON.stringify([...path, 'image']))) {
      uses.push({ image: node.image, path: [...path, 'image'], what: 'image field', pullPolicy: text(node.imagePullPolicy) });
    }
  });
  return uses;
}

function imageLikeValues(container: JsonObject, path: readonly PathSegment[], what: string): ImageUse[] {
  const uses: ImageUse[] = [];
  records(container.env).forEach((variable, index) => {
    const name = text(variable.name) ?? '';
    const value = text(variable.value);
    if (value !== undefined && /image/i.test(name)) {
      uses.push({ image: value, path: [...path, 'env', index, 'value'], what: `${what} env ${name}` });
    }
  });
  for (const field of ['command', 'args'] as const) {
    list(container[field]).forEach((argument, index) => {
      const match = typeof argument === 'string' ? /^--?([A-Za-z0-9_.-]+)=(.+)$/.exec(argument) : null;
      if (match && !BASE_IMAGE_FLAG.test(match[1]) && (/image/i.test(match[1]) || IMAGE_REGISTRIES.some((registry) => match[2].startsWith(`${registry}/`)))) {
        uses.push({ image: match[2], path: [...path, field, index], what: `${what} ${field === 'args' ? 'argument' : 'command'} --${match[1]}` });
      }
    });
  }
  return uses;
}

function visit(node: unknown, path: PathSegment[], onObject: (node: JsonObject, path: PathSegment[]) => void): void {
  if (Array.isArray(node)) {
    node.forEach((entry, index) => visit(entry, [...path, index], onObject));
  } else if (typeof node === 'object' && node !== null) {
    onObject(record(node), path);
    for (const [key, value] of Object.entries(node)) {
      visit(value, [...path, key], onObject);
    }
  }
}

export const ADDON_IMAGE_PINNED: AddonRule = {
  id: 'ADDON-IMAGE-PINNED',
  requirement:
    'every image a rendered add-on runs or hands on (containers and init containers of every pod template, image fields of custom resources, image-like args and env values) names a tag other than latest or a digest, and an image pulled Always names an exact version (x.y.z) or a digest',
  fix: "Pin the image in the add-on's entry of lib/gitops/addon-catalog.ts (its Helm values for the image's tag or digest; a kustomize images argument [old=]name:tag, which replaces the kustomization's entry of that name), or move to a chart version that pins it.",
  check: (object): RuleViolation[] =>
    imageUsesOf(object).flatMap((use) => {
      const problem = floatingImageProblem(use.image, use.pullPolicy);
      return problem ? [{ path: use.path, message: `${use.what} image ${JSON.stringify(use.image)} ${problem}` }] : [];
    }),
};
