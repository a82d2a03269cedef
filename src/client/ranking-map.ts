// Map island of the ranking: each city a circle in its status band's colour (the page's table has
// the same numbers). The points come from the page itself, so the map shows what the table shows.
import L from 'leaflet';
import { baseMap } from './base-map.ts';
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
  // Regions coloured by their cities' mean total (the page's legend and averages table say how).
  const regionColours = JSON.parse(element.dataset.regions ?? '{}') as Record<string, string>;
  const base = baseMap(element, { fill: (iso) => regionColours[iso], regionsOverTiles: true });
  const { map } = base;
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
  await base.regions;
  element.dataset.ready = String(points.length);
}

const element = document.getElementById('ranking-map');
if (element) start(element).catch((error) => console.error('map failed', error));
