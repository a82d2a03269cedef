// Map island: draws the cities from the API as circles on a simplified outline of Ukraine.
// No tile server: the page stays self-contained and leaks no visitor data to third parties.
import L from 'leaflet';
import { textElement } from './text.ts';

interface CityJson {
  slug: string;
  name: { uk: string; en: string; bg: string };
  population: number | null;
  location: { latitude: number; longitude: number } | null;
  url: string;
}

function radius(population: number | null): number {
  return population ? Math.max(4, Math.min(22, Math.sqrt(population) / 60)) : 4;
}

async function start(element: HTMLElement): Promise<void> {
  const lang = (element.dataset.lang ?? 'uk') as keyof CityJson['name'];
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false }).setView([48.6, 31.2], 5.5);
  if (element.dataset.outline) {
    const outline = await fetch(element.dataset.outline).then((r) => r.json());
    const layer = L.geoJSON(outline, {
      style: { color: '#0b4f8a', weight: 1.5, fillColor: '#ffffff', fillOpacity: 1 },
      interactive: false,
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [8, 8] });
  }
  const body = await fetch(element.dataset.src!).then((r) => r.json());
  const cities: CityJson[] = Array.isArray(body.items) ? body.items : [body];
  const format = new Intl.NumberFormat(lang);
  const points: L.LatLngExpression[] = [];
  for (const city of cities) {
    if (!city.location) continue;
    const point: L.LatLngExpression = [city.location.latitude, city.location.longitude];
    points.push(point);
    const popup = document.createElement('div');
    const link = document.createElement('a');
    link.href = `/cities/${city.slug}`;
    link.className = 'city-link';
    link.textContent = city.name[lang] ?? city.name.uk;
    popup.append(link);
    if (city.population)
      popup.append(
        document.createElement('br'),
        `${element.dataset.populationLabel ?? ''}: ${format.format(city.population)}`,
      );
    L.circleMarker(point, {
      radius: radius(city.population),
      color: '#083a66',
      weight: 1,
      fillColor: '#ffd200',
      fillOpacity: 0.85,
    })
      .bindPopup(popup)
      .bindTooltip(textElement(link.textContent))
      .addTo(map);
  }
  if (points.length === 1) map.setView(points[0]!, 6.5);
  element.dataset.ready = String(points.length);
}

const element = document.getElementById('cities-map');
if (element) start(element).catch((error) => console.error('map failed', error));
