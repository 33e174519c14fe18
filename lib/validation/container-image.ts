/** The parts of an image reference that policy rules look at. */
export interface ImageReference {
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `registry:5000/repo/name:tag@sha256:...` into tag and digest (a registry port is not a tag). */
export function parseImage(image: string): ImageReference {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  return { tag: tag || undefined, digest: digest || undefined };
}
