// Assessment form island: each indicator's form saves itself as the assessor works (a level
// chosen, a text field left), so a draft is never lost; the Save button still works without
// JavaScript. The result is announced in the form's live region.
const forms = document.querySelectorAll<HTMLFormElement>('form[data-autosave]');

async function save(form: HTMLFormElement): Promise<void> {
  const status = form.querySelector<HTMLElement>('.save-status');
  if (status) status.textContent = form.dataset.savingText ?? '…';
  const response = await fetch(form.action, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(new FormData(form) as unknown as Record<string, string>).toString(),
    credentials: 'same-origin',
  });
  const body = await response.json().catch(() => ({}));
  if (!status) return;
  if (response.ok) {
    status.textContent = form.dataset.savedText ?? '✓';
    status.className = 'save-status saved';
    updateProgress(form, body.scored);
    // A saved score awaits verification: the indicator's badge says so at once.
    const badge = form.closest('.assess-item')?.querySelector<HTMLElement>('.verification-badge');
    if (badge && form.dataset.pendingText) {
      badge.textContent = form.dataset.pendingText;
      badge.className = 'badge verification-badge verification-pending';
    }
  } else {
    status.textContent = Object.values((body.errors ?? {}) as Record<string, string>).join(' ') || `${response.status}`;
    status.className = 'save-status field-error';
  }
}

/** The page's counters: the whole city, and the area of an indicator scored for the first time. */
function updateProgress(form: HTMLFormElement, scored: unknown): void {
  const progress = document.getElementById('assess-progress') as HTMLProgressElement | null;
  const count = document.getElementById('assess-count');
  if (typeof scored === 'number' && progress && count) {
    progress.value = scored;
    count.textContent = String(scored);
  }
  if (form.hasAttribute('data-scored')) return;
  form.setAttribute('data-scored', '');
  const area = form.closest<HTMLElement>('[data-area]')?.dataset.area;
  // The area's count stands twice: in the list of areas and on the area's own panel.
  const counters = area ? document.querySelectorAll<HTMLElement>(`[data-area-progress="${CSS.escape(area)}"]`) : [];
  for (const counter of counters) counter.textContent = String(Number(counter.textContent) + 1);
}

for (const form of forms) {
  form.addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement;
    // A level needs no confirmation; text is saved when the field is left.
    if (target.type === 'radio' || target.tagName === 'TEXTAREA') void save(form).catch(() => undefined);
  });
}
