// Map island: draws the cities from the API as circles on the base map (regions offline, or the
// operator's tiles), sized by population.
import L from 'leaflet';
import { baseMap, fitData } from './base-map.ts';
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
  const base = baseMap(element);
  const { map } = base;
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
  // The country map keeps the whole country in view; one city's map shows its surroundings.
  if (points.length === 1) fitData(base, points);
  await base.regions;
  element.dataset.ready = String(points.length);
}

const element = document.getElementById('cities-map');
if (element) start(element).catch((error) => console.error('map failed', error));
