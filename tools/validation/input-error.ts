/**
 * Input the gate cannot judge (unreadable folder, malformed YAML, a document that is not a
 * Kubernetes object, unusable schema files). The CLI prints its message as one line and exits 2.
 */
export class ValidationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationInputError';
  }
}
