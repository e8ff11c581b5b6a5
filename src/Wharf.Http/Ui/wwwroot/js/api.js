// The JSON API under /api/, the only thing the UI talks to. Errors come back in the registry's envelope
// {"errors":[{"code","message"}]} and are thrown as ApiError.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /** A repository or image the caller may not see answers exactly like one that does not exist. */
  get notFound() {
    return this.status === 404 || this.status === 401 || this.status === 403;
  }
}

/** A repository name or reference as path segments (names contain slashes; each segment is encoded on its own). */
export function segments(name) {
  return name.split('/').map((segment) => encodeURIComponent(segment).replaceAll('%3A', ':')).join('/');
}

/** ?a=1&b=2 from an object, leaving out empty values. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function api(path, { method = 'GET', body, signal } = {}) {
  const init = { method, signal, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data?.errors?.[0];
    const retryAfter = Number(response.headers.get('Retry-After')) || undefined;
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, retryAfter);
  }
  return data;
}

export const session = {
  get: () => api('/api/session'),
  signIn: (username, password) => api('/api/session', { method: 'POST', body: { username, password } }),
  signOut: () => api('/api/session', { method: 'DELETE' }),
};

export const repositories = {
  list: (parameters, signal) => api(`/api/repositories${query(parameters)}`, { signal }),
  get: (name, signal) => api(`/api/repository/${segments(name)}`, { signal }),
  update: (name, changes) => api(`/api/repository/${segments(name)}`, { method: 'PUT', body: changes }),
  // The repository with its tags and manifests; its blobs are reclaimed by the garbage collector later.
  remove: (name) => api(`/api/repository/${segments(name)}`, { method: 'DELETE' }),
};

// A namespace (first path segment of repository names): { namespace, usage, quota } in bytes; quota null when unlimited.
export const namespaces = {
  get: (name, signal) => api(`/api/namespaces/${encodeURIComponent(name)}`, { signal }),
};

export const images = {
  tags: (name, parameters, signal) => api(`/api/tags/${segments(name)}${query(parameters)}`, { signal }),
  // digest: the manifest the user saw; the server deletes the tag only if it still points there (else 409).
  deleteTag: (name, tag, digest) => api(`/api/tags/${segments(name)}${query({ tag, digest })}`, { method: 'DELETE' }),
  get: (name, reference, signal) => api(`/api/image/${segments(name)}${query({ reference })}`, { signal }),
  files: (name, parameters, signal) => api(`/api/files/${segments(name)}${query(parameters)}`, { signal }),
};

// The replication jobs of one repository (copies to and from other registries), newest first; for anyone who may pull it.
export const replication = {
  jobs: (name, signal) => api(`/api/replication${query({ repository: name, n: 20 })}`, { signal }),
};
