// Assessment form island: each indicator's form saves itself as the assessor works (a level
// chosen, a text field left), so a draft is never lost; the Save button still works without
// JavaScript. The result is announced in the form's live region.
const forms = document.querySelectorAll<HTMLFormElement>('form[data-autosave]');

async function save(form: HTMLFormElement): Promise<void> {
  const status = form.querySelector<HTMLElement>('.save-status');
  if (status) status.textContent = form.dataset.savingText ?? '…';
  const response = await fetch(form.action, {
    method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(new FormData(form) as unknown as Record<string, string>).toString(), credentials: 'same-origin',
  });
  const body = await response.json().catch(() => ({}));
  if (!status) return;
  if (response.ok) {
    status.textContent = form.dataset.savedText ?? '✓';
    status.className = 'save-status saved';
  } else {
    status.textContent = Object.values((body.errors ?? {}) as Record<string, string>).join(' ') || `${response.status}`;
    status.className = 'save-status field-error';
  }
}

for (const form of forms) {
  form.addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement;
    // A level needs no confirmation; text is saved when the field is left.
    if (target.type === 'radio' || target.tagName === 'TEXTAREA') void save(form).catch(() => undefined);
  });
}
