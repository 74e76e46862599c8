/**
 * `Status` bodies shaped like kube-apiserver's (k8s.io/apimachinery/pkg/api/errors): clients
 * branch on `reason`, `code` and `details.causes`, so the lab answers with the same words.
 */

interface StatusCause {
  /** Serialised as `reason` on the wire, as the real StatusCause does. */
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** The one error the API layer throws; the server turns it into a Status answer. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): StatusBody {
    // Key order as the real server writes it: details before code.
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export function successStatus(code: number, details?: StatusDetails): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code };
}

/** `deployments.apps` — the qualified resource name the real server puts in messages. */
function qualifiedResource(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const errors = {
  notFound(group: string, plural: string, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualifiedResource(group, plural)} "${name}" not found`, {
      name,
      group: group || undefined,
      kind: plural,
    });
  },
  pathNotFound(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  alreadyExists(group: string, plural: string, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualifiedResource(group, plural)} "${name}" already exists`, {
      name,
      group: group || undefined,
      kind: plural,
    });
  },
  conflict(group: string, plural: string, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(group, plural)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: group || undefined, kind: plural },
    );
  },
  preconditionFailed(group: string, plural: string, name: string, what: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(group, plural)} "${name}": Precondition failed: ${what}`,
      { name, group: group || undefined, kind: plural },
    );
  },
  namespaceTerminating(plural: string, name: string, namespace: string): ApiError {
    return new ApiError(
      403,
      'Forbidden',
      `${plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        name,
        kind: plural,
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    );
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  methodNotAllowed(): ApiError {
    return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
  },
  unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      {
        causes: [
          { reason: 'UnexpectedServerResponse', message: `unsupported content type ${JSON.stringify(contentType)}` },
        ],
      },
    );
  },
  /** What kube-apiserver answers when a JSON patch fails to apply, a failed `test` op included. */
  patchNotApplicable(): ApiError {
    return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  },
  invalid(kind: string, group: string, name: string, causes: { field: string; message: string }[]): ApiError {
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    const summary = causes.map((cause) => `${cause.field}: ${cause.message}`).join(', ');
    return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
      name,
      group: group || undefined,
      kind,
      causes: causes.map((cause) => ({ reason: 'FieldValueInvalid', message: cause.message, field: cause.field })),
    });
  },
  unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  },
  gone(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  tooLarge(): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
  },
};
