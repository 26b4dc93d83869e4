// One lab run's events: /api/train?<query> through an EventSource, into callbacks.
//
// An EventSource hides why a request failed (a 422 or a 429 is just "error", readyState CLOSED,
// before any event), so then one fetch of the same URL reads the answer: a 422's problems, or a
// 429's retry_after, after which the stream is opened again by itself. An EventSource that loses
// its connection would reconnect and replay the run from its start; instead the run is reported
// as dropped and the page offers Train again (the server joins or replays it).
//
//   const run = openRun(query, {event(name, data), busy(seconds, detail), waiting(secondsLeft),
//                               problems(list), dropped(message), closed()});
//   run.close();   // stops listening; the server ends the run if nobody else listens
const NAMES = ["queued", "start", "progress", "epoch", "done", "stopped", "error"];
const LAST = new Set(["done", "stopped", "error"]);

export function openRun(query, on) {
  const url = `/api/train?${query}`;
  let source = null;
  let closed = false;
  let received = 0;
  let ended = false; // the last event came: the server ends the response by itself
  let timer = null; // the countdown of a busy lab
  let grace = null; // after the last event: the response should end within it
  let probe = null;

  /** The EventSource closed for good (on.closed: the request is over, nothing left open). */
  function shut() {
    clearTimeout(grace);
    source?.close();
    on.closed?.();
  }

  function close() {
    closed = true;
    clearInterval(timer);
    probe?.abort();
    if (!ended) shut(); // after the last event the response ends by itself: leave it unaborted
  }

  function dropped(message) {
    close();
    on.dropped(message);
  }

  function retryIn(seconds, detail) {
    on.busy(seconds, detail);
    let left = seconds;
    timer = setInterval(() => {
      left -= 1;
      if (closed) return clearInterval(timer);
      if (left > 0) return on.waiting(left);
      clearInterval(timer);
      connect();
    }, 1000);
  }

  /** Why the stream was refused: one plain request of the same URL. */
  async function diagnose() {
    probe = new AbortController();
    let res;
    try {
      res = await fetch(url, { signal: probe.signal, headers: { Accept: "application/json" } });
    } catch (err) {
      if (!closed) dropped(`Could not reach the server (${err.message}).`);
      return;
    }
    if (closed) return;
    if (res.ok) {
      // a worker came free in between: this request joined the run; listen on the stream instead
      probe.abort();
      connect();
      return;
    }
    const body = await res.json().catch(() => null);
    if (closed) return;
    if (res.status === 429) {
      const seconds = Number(body?.retry_after ?? res.headers.get("Retry-After")) || 5;
      retryIn(Math.max(1, Math.round(seconds)), body?.detail ?? "");
    } else if (res.status === 422 && body?.problems) {
      close();
      on.problems(body.problems);
    } else {
      dropped(`The server answered ${res.status}${body?.detail ? `: ${body.detail}` : ""}.`);
    }
  }

  function connect() {
    source = new EventSource(url);
    for (const name of NAMES) {
      source.addEventListener(name, (e) => {
        if (!(e instanceof MessageEvent) && ended) {
          closed = true;
          shut(); // the response ended after its last event: no reconnection, nothing aborted
          return;
        }
        if (closed) return;
        if (!(e instanceof MessageEvent)) {
          // the connection itself: refused before any event (a 422 or 429), or lost mid-run
          if (received === 0 && source.readyState === EventSource.CLOSED) {
            diagnose();
          } else {
            dropped(received ? "The connection to the server dropped before the run finished." : "Could not reach the server.");
          }
          return;
        }
        received += 1;
        if (LAST.has(name)) {
          // reconnecting would replay the run from its start: close when the response ends (or soon)
          ended = true;
          grace = setTimeout(shut, 3000);
        }
        on.event(name, JSON.parse(e.data));
      });
    }
  }

  connect();
  return { close };
}
