// Map island of the data programme's national view: each city a circle in the colour of its
// compliance band, each region in the colour of its cities' mean score. The points and colours
// come from the page, whose tables hold the same numbers.
import L from 'leaflet';
import { baseMap } from './base-map.ts';
import { textElement } from './text.ts';

interface Point {
  name: string;
  lat: number;
  lon: number;
  /** The score as the page writes it ("72,5 %"). */
  total: string;
  url: string;
  colour: string;
}

async function start(element: HTMLElement): Promise<void> {
  const points = JSON.parse(element.dataset.points ?? '[]') as Point[];
  const regionColours = JSON.parse(element.dataset.regions ?? '{}') as Record<string, string>;
  const base = baseMap(element, { fill: (iso) => regionColours[iso], regionsOverTiles: true });
  for (const point of points) {
    const popup = document.createElement('div');
    const link = document.createElement('a');
    link.href = point.url;
    link.className = 'city-link';
    link.textContent = point.name;
    popup.append(link, document.createElement('br'), point.total);
    L.circleMarker([point.lat, point.lon], {
      radius: 7,
      color: '#1b1f24',
      weight: 1,
      fillColor: point.colour,
      fillOpacity: 0.9,
    })
      .bindPopup(popup)
      .bindTooltip(textElement(`${point.name}: ${point.total}`))
      .addTo(base.map);
  }
  await base.regions;
  element.dataset.ready = String(points.length);
}

const element = document.getElementById('compliance-map');
if (element) start(element).catch((error) => console.error('map failed', error));
