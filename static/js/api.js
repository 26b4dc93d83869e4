// Fetching from the API. A 422 comes back as its problems, never as an exception.
export async function getJSON(url, signal) {
  const response = await fetch(url, { signal, headers: { Accept: "application/json" } });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { ok: response.ok, status: response.status, body, text };
}

/** Ask for a URL ahead, so that the browser's cache holds it (the API sends max-age): the body is
 * read but not parsed. Same headers as getJSON, so the later request is a cache hit. */
export function warm(url) {
  fetch(url, { headers: { Accept: "application/json" } })
    .then((r) => r.arrayBuffer())
    .catch(() => {});
}
