// On a phone the filters (catalog, best practices, a preview's columns) would come before the
// first result: the panel starts folded there, behind its button. Without JavaScript it stays open.
const panel = document.querySelector<HTMLDetailsElement>('details.facet-panel');
if (panel && window.matchMedia('(max-width: 48rem)').matches) panel.open = false;
