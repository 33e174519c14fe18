/**
 * A wrong value in an environment config. Its message is meant to be the only line a platform
 * engineer reads: the environment, the field, the value received, why it is wrong and the fix.
 */
export class ConfigError extends Error {
  public constructor(
    public readonly environment: string,
    public readonly field: string,
    public readonly value: unknown,
    public readonly problem: string,
    public readonly fix: string,
  ) {
    super(`environment "${environment}": ${field} = ${formatValue(value)}: ${problem}. Fix: ${fix}`);
    this.name = 'ConfigError';
  }
}

function formatValue(value: unknown): string {
  if (value === undefined) {
    return '(not set)';
  }
  return JSON.stringify(value) ?? String(value);
}
