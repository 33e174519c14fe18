/**
 * A construct refused the value of one of its props. It carries the construct's id and the prop's
 * name, so that the synth entry point can name the environment config field the value came from
 * (`ConfigError`'s one line) when the prop was set from config; used directly, its message is the
 * construct's own: `<label>: <prop> is <value>; <fix>`.
 */
export class PropError extends Error {
  public constructor(
    /** The construct's id, e.g. `postgres`: the top-level child of a chart when it came from config. */
    public readonly constructId: string,
    /** The prop, as named in the construct's props, e.g. `memoryMi`. */
    public readonly prop: string,
    /** The value received. */
    public readonly value: unknown,
    /** What to do instead. */
    public readonly fix: string,
    /** How the message names the construct. @default constructId */
    label: string = constructId,
  ) {
    super(`${label}: ${prop} is ${JSON.stringify(value)}; ${fix}`);
    this.name = 'PropError';
  }
}
