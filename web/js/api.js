// fetch() for the v1 API: JSON in and out; a non-2xx answer throws an ApiError whose message
// is a sentence for people (errors.js), with the problem kept for code that branches on it.
import { sentence } from './errors.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(sentence(problem, status));
    this.status = status;
    this.problem = problem || {};
    this.slug = (this.problem.type || '').replace(/^.*\//, '');
  }
}

// Organizer calls: the admin key is kept for the browser tab (sessionStorage), never in a URL.
export const adminKey = {
  get: () => sessionStorage.getItem('boxoffice.admin-key') || '',
  set: (key) => sessionStorage.setItem('boxoffice.admin-key', key),
};

export async function api(path, { method = 'GET', body, headers = {}, admin = false, signal } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  if (admin) init.headers.Authorization = `Bearer ${adminKey.get()}`;
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, null);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

// Shows `text` in a message element (role=alert for errors so screen readers hear it).
export function say(element, text, kind = 'error') {
  element.className = `message ${kind}`;
  element.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  element.textContent = text || '';
}

// Ids in page addresses: /events/7 → "7".
export const pathPart = (index) => decodeURIComponent(location.pathname.split('/')[index] || '');
