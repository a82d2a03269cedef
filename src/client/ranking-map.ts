// Map island of the ranking: each city a circle coloured by its total (the page's table has the
// same numbers). The points come from the page itself, so the map shows what the table shows.
import L from 'leaflet';

interface Point { name: string; lat: number; lon: number; total: number; url: string }

/** Red below 50, amber to 80, green above: the default bands, readable without colour too (the popup has the number). */
function colour(total: number): string {
  if (total >= 80) return '#1e6b33';
  if (total >= 50) return '#d39e00';
  return '#a4161a';
}

async function start(element: HTMLElement): Promise<void> {
  const points = JSON.parse(element.dataset.points ?? '[]') as Point[];
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false }).setView([48.6, 31.2], 5.5);
  const outline = await fetch('/static/ukraine.geojson').then((r) => (r.ok ? r.json() : null)).catch(() => null);
  if (outline) {
    const layer = L.geoJSON(outline, { style: { color: '#0b4f8a', weight: 1.5, fillColor: '#ffffff', fillOpacity: 1 }, interactive: false }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [8, 8] });
  }
  for (const point of points) {
    const popup = document.createElement('div');
    const link = document.createElement('a');
    link.href = point.url;
    link.className = 'city-link';
    link.textContent = point.name;
    popup.append(link, document.createElement('br'), String(point.total));
    L.circleMarker([point.lat, point.lon], { radius: 8, color: '#1b1f24', weight: 1, fillColor: colour(point.total), fillOpacity: 0.9 })
      .bindPopup(popup).bindTooltip(`${point.name}: ${point.total}`).addTo(map);
  }
  element.dataset.ready = String(points.length);
}

const element = document.getElementById('ranking-map');
if (element) start(element).catch((error) => console.error('map failed', error));
