/**
 * How many pods a service runs: a fixed count, or bounds that a HorizontalPodAutoscaler owns.
 * A class with factories rather than a union, so that a config reads as intent.
 */
export class Replicas {
  /** A fixed count with no autoscaler; the Deployment carries `replicas`. */
  public static fixed(count: number): Replicas {
    return new Replicas(count, count, false);
  }

  /** Bounds for a HorizontalPodAutoscaler; the Deployment carries no `replicas`, so Argo CD never fights the autoscaler. */
  public static autoscaled(bounds: { readonly min: number; readonly max: number }): Replicas {
    return new Replicas(bounds.min, bounds.max, true);
  }

  private constructor(
    public readonly min: number,
    public readonly max: number,
    public readonly isAutoscaled: boolean,
  ) {}

  public toString(): string {
    return this.isAutoscaled ? `Replicas.autoscaled({ min: ${this.min}, max: ${this.max} })` : `Replicas.fixed(${this.min})`;
  }
}
