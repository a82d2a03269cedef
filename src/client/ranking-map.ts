// Map island of the ranking: each city a circle in its status band's colour (the page's table has
// the same numbers). The points come from the page itself, so the map shows what the table shows.
import L from 'leaflet';
import { textElement } from './text.ts';

/** A city with its total and its band's colour (chosen by the page, which also draws the legend). */
interface Point {
  name: string;
  lat: number;
  lon: number;
  total: number;
  url: string;
  colour: string;
}

async function start(element: HTMLElement): Promise<void> {
  const points = JSON.parse(element.dataset.points ?? '[]') as Point[];
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false }).setView([48.6, 31.2], 5.5);
  const outline = await fetch('/static/ukraine.geojson')
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  if (outline) {
    const layer = L.geoJSON(outline, {
      style: { color: '#0b4f8a', weight: 1.5, fillColor: '#ffffff', fillOpacity: 1 },
      interactive: false,
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [8, 8] });
  }
  for (const point of points) {
    const popup = document.createElement('div');
    const link = document.createElement('a');
    link.href = point.url;
    link.className = 'city-link';
    link.textContent = point.name;
    popup.append(link, document.createElement('br'), String(point.total));
    L.circleMarker([point.lat, point.lon], {
      radius: 8,
      color: '#1b1f24',
      weight: 1,
      fillColor: point.colour,
      fillOpacity: 0.9,
    })
      .bindPopup(popup)
      .bindTooltip(textElement(`${point.name}: ${point.total}`))
      .addTo(map);
  }
  element.dataset.ready = String(points.length);
}

const element = document.getElementById('ranking-map');
if (element) start(element).catch((error) => console.error('map failed', error));
