/** Small DOM helpers for the web chat. */

/** The element with this id (it must exist in index.html). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`no #${id} in the page`);
  return found as T;
}

/** Create an element with attributes (`undefined` ones left out) and text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Show a status badge: `data-status` drives its colour. */
export function setBadge(id: string, status: string, text = status): void {
  const b = $(id);
  b.dataset.status = status;
  b.textContent = text;
}

/** Show an error under the page (cleared by {@link clearError}). */
export function showError(e: unknown): void {
  const p = $('error');
  p.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  p.hidden = false;
}

/** Hide the error line. */
export function clearError(): void {
  $('error').hidden = true;
}
