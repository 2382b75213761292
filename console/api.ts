/** Same-origin calls to /api/v1 with the session cookie; an error carries the API's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Set by the app: called on any 401 so the login page shows. */
let onUnauthorized: () => void = () => undefined
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  if (res.status === 401 && path !== '/session') onUnauthorized()
  const text = await res.text()
  const body = text ? (JSON.parse(text) as unknown) : undefined
  if (!res.ok) {
    const msg = (body as { message?: string } | undefined)?.message ?? `${res.status} ${res.statusText}`
    throw new ApiError(res.status, msg)
  }
  return body as T
}
