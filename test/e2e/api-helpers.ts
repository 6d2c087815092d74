import { inject } from 'vitest';

/** A JSON call to the e2e stack with a bearer token; a refusal throws with its problem body. */
export async function apiCall(token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${inject('stack').url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}
