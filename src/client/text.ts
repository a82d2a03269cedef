// Data from the API, a file or the page goes into the DOM as text, never as markup. Leaflet takes a
// string given to bindTooltip or bindPopup as HTML, so islands hand it an element with the text.

/** An element whose content is `text`, as text. */
export function textElement(text: string, tag: keyof HTMLElementTagNameMap = 'span'): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}
