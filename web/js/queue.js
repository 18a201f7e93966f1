// The waiting room, from the fan's side: join (POST …/queue), keep the queue token for the tab
// (a reload keeps the place), poll the status, show position, estimated wait and progress, and
// hand back the access token the moment the room admits this person. Polls when the answer says
// (`poll_after_seconds`: often near the front, seldom far back, as the room's organizer set it,
// since half a million tabs polling every few seconds would load the server more than the sale
// itself), a little later at random so that a crowd's polls spread out. A room that
// asks for a proof of work at join gets it solved first, in a Web Worker (pow_worker.js), with
// its progress shown.
import { api, ApiError } from './api.js';
import { clock, duration } from './format.js';

const poll_ms_default = 3000;  // an answer without advice (an error, an older server)
const open_spread_ms = 3000;   // the pre-queue's polls at the open, spread over this

// When to ask again after `status`: as it advises, plus up to a fifth at random; at the open
// (when the pre-queue's places are drawn) within the first seconds, at random.
function pollDelayMs(status) {
  const after = status.poll_after_seconds;
  if (!after) return poll_ms_default;
  if (status.state === 'pre_queue' && after >= status.eta_seconds) {
    return after * 1000 + Math.random() * open_spread_ms;
  }
  return after * 1000 * (1 + Math.random() / 5);
}

const queueKey = (eventId) => `boxoffice.queue.${eventId}`;
const accessKey = (eventId) => `boxoffice.access.${eventId}`;

// The access token of this tab for the event, while it is good; else null.
export function accessToken(eventId) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(accessKey(eventId)) || 'null');
    if (saved && Date.parse(saved.expires_at) > Date.now()) return saved.token;
  } catch { /* a damaged entry is no token */ }
  return null;
}

export function forgetAccess(eventId) { sessionStorage.removeItem(accessKey(eventId)); }

// A solution of the room's challenge ({challenge, difficulty}), found by a Web Worker;
// onProgress(fraction) now and then (the expected share of the work done).
function solveChallenge({ challenge, difficulty }, onProgress) {
  return new Promise((resolve, reject) => {
    const worker = new Worker('/app/js/pow_worker.js');
    const expected = 2 ** difficulty;
    worker.onmessage = ({ data }) => {
      if (data.solution === undefined) {
        onProgress(Math.min(0.99, data.tried / expected));
        return;
      }
      worker.terminate();
      resolve({ challenge, solution: data.solution });
    };
    worker.onerror = (error) => { worker.terminate(); reject(error); };
    worker.postMessage({ challenge, difficulty });
  });
}

const proofProblems = ['proof-of-work-required', 'proof-of-work-invalid'];

// Runs the room in `elements` ({state, position, progress, eta, join}) until admitted; then
// calls onAdmitted(token). `proofOfWork`: the room's waiting_room.proof_of_work, if it asks for
// one (a room that starts asking meanwhile is answered too). Answers a function that stops
// polling.
export function waitInRoom(eventId, elements, onAdmitted, proofOfWork = null, accessCode = () => null) {
  let stopped = false;
  let timer = null;
  let first = null;  // the position when this page started watching, for the progress bar

  const show = (status) => {
    const { state, position, eta_seconds: eta } = status;
    if (state === 'sold_out') {
      elements.state.textContent = 'Sold out: every ticket has been sold. You keep your place in case tickets come back.';
      elements.eta.textContent = '';
      elements.progress.removeAttribute('value');
      return;
    }
    if (state === 'pre_queue') {
      elements.state.textContent = 'The sale has not started yet. Everyone who joins before it opens gets a random place in line at the start.';
      elements.position.textContent = `${position.toLocaleString()} in the room`;
      elements.eta.textContent = `The sale opens in ${clock(eta)}.`;
      elements.progress.removeAttribute('value');
      return;
    }
    if (first === null || position > first) first = position;
    elements.state.textContent = position <= 1 ? 'You are next.' : 'You are in line.';
    elements.position.textContent = `Number ${position.toLocaleString()} in line`;
    elements.eta.textContent = eta > 0 ? `Estimated wait: ${duration(eta)}.` : 'Any moment now.';
    elements.progress.value = first > 0 ? Math.min(1, (first - position + 1) / first) : 0;
  };

  const poll = async () => {
    if (stopped) return;
    const token = sessionStorage.getItem(queueKey(eventId));
    try {
      const status = token
        ? await api(`/v1/events/${eventId}/queue/status`, { headers: { 'X-Queue-Token': token } })
        : await join();
      if (status.state === 'admitted' && status.access_token) {
        sessionStorage.setItem(accessKey(eventId), JSON.stringify({ token: status.access_token, expires_at: status.access_expires_at }));
        sessionStorage.removeItem(queueKey(eventId));
        elements.state.textContent = 'It is your turn!';
        elements.progress.value = 1;
        stopped = true;
        onAdmitted(status.access_token);
        return;
      }
      if (status.state !== 'admitted') show(status);
      timer = setTimeout(poll, pollDelayMs(status));
    } catch (error) {
      if (error instanceof ApiError && ['queue-token-invalid', 'queue-session-ended'].includes(error.slug)) {
        sessionStorage.removeItem(queueKey(eventId));
        elements.state.textContent = error.message;
        elements.join.hidden = false;
        return;
      }
      elements.state.textContent = `${error.message} Retrying…`;
      timer = setTimeout(poll, poll_ms_default);
    }
  };

  const prove = async () => {
    elements.state.textContent = 'Getting your place in line: your browser is doing a moment of work that keeps bots out…';
    elements.position.textContent = '';
    elements.eta.textContent = '';
    elements.progress.value = 0;
    const issued = await api(`/v1/events/${eventId}/queue/challenge`);
    return solveChallenge(issued, (done) => { elements.progress.value = done; });
  };

  // With a proof when the room asks for one; a challenge refused (expired while solving, the
  // room now asks for more) is solved anew, once.
  const join = async () => {
    let asks = Boolean(proofOfWork);
    for (let attempt = 0; ; attempt++) {
      try {
        // Before a presale's general sale the line is only for its code holders.
        const code = accessCode();
        const body = asks || code
          ? { ...(asks ? await prove() : {}), ...(code ? { access_code: code } : {}) }
          : undefined;
        const joined = await api(`/v1/events/${eventId}/queue`, { method: 'POST', body });
        sessionStorage.setItem(queueKey(eventId), joined.queue_token);
        first = null;
        return joined;
      } catch (error) {
        if (attempt > 0 || !(error instanceof ApiError) || !proofProblems.includes(error.slug)) throw error;
        asks = true;
      }
    }
  };

  elements.join.onclick = () => { elements.join.hidden = true; first = null; poll(); };
  poll();
  return () => { stopped = true; clearTimeout(timer); };
}
