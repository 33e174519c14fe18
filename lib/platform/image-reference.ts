/** A container image. Staging and production must pin `digest`; the tag then only documents the version. */
export interface ImageReference {
  /** Registry and repository, e.g. `ghcr.io/acme/generator-platform-web`. */
  readonly repository: string;
  /** Human-readable version; never `latest`. */
  readonly tag: string;
  /** `sha256:<64 hex>`; what the kubelet pulls when set. */
  readonly digest?: string;
}

/** `repo:tag@sha256:…` when a digest is pinned (the kubelet pulls by digest), else `repo:tag`. */
export function imageReference(image: ImageReference): string {
  return image.digest ? `${image.repository}:${image.tag}@${image.digest}` : `${image.repository}:${image.tag}`;
}
