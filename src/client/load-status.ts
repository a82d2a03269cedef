// Resource page island: while the file's load is queued or running, asks the status endpoint every
// couple of seconds and shows its state and rows as they change; once the load has finished, reloads
// the page to show the report and the data. Without JavaScript the page refreshes itself instead.
const box = document.getElementById('job-status');
const url = box?.dataset.statusUrl;
const QUICK = 2000;
const SLOWEST = 30_000;

if (box && url) {
  let delay = QUICK;
  // Once the page is being left (a reload, a link followed), its own reload would only race that navigation.
  let leaving = false;
  window.addEventListener('beforeunload', () => {
    leaving = true;
  });
  const poll = async () => {
    if (leaving) return;
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (response.ok) {
        const body = (await response.json()) as { pending?: boolean; html?: string };
        if (leaving) return;
        if (!body.pending) {
          window.location.reload();
          return;
        }
        // The server renders the status (escaped) in the page's language.
        if (typeof body.html === 'string') box.innerHTML = body.html;
        delay = QUICK;
      } else {
        delay = Math.min(delay * 2, SLOWEST);
      }
    } catch {
      delay = Math.min(delay * 2, SLOWEST); // offline or the server restarting: try again later
    }
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, delay);
}
