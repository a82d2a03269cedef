// On a phone the filters (catalog, best practices) would come before the first result: the panel
// starts folded there, behind its "Filters" button. Without JavaScript it stays open, which still works.
const panel = document.querySelector<HTMLDetailsElement>('details.facet-panel');
if (panel && window.matchMedia('(max-width: 48rem)').matches) panel.open = false;
