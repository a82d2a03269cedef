// Map island for a DataStore resource whose rows have latitude and longitude columns (fetched
// through datastore_search), or for a GeoJSON file (drawn whole), on the outline of Ukraine.
import L from 'leaflet';
import { baseMap, fitData } from './base-map.ts';
import { textElement } from './text.ts';

async function start(element: HTMLElement): Promise<void> {
  const { resource, lat, lon, label, geojson } = element.dataset;
  const base = baseMap(element);
  const { map } = base;
  if (geojson) {
    const layer = L.geoJSON(await fetch(geojson).then((r) => r.json()), {
      style: { color: '#083a66', weight: 2, fillColor: '#ffd200', fillOpacity: 0.5 },
      // A feature marked as a winner (participatory budgets) stands out; others are plain.
      pointToLayer: (feature, latlng) =>
        L.circleMarker(
          latlng,
          feature.properties?.winner === false
            ? { radius: 5, color: '#083a66', weight: 1, fillColor: '#ffffff', fillOpacity: 0.9 }
            : {
                radius: feature.properties?.winner ? 8 : 5,
                color: '#083a66',
                weight: 1,
                fillColor: '#ffd200',
                fillOpacity: 0.9,
              },
        ),
      onEachFeature: (feature, item) => {
        const properties = (feature.properties ?? {}) as Record<string, unknown>;
        const name =
          Object.entries(properties).find(([key, value]) => /name|назва|име|title/i.test(key) && value !== null)?.[1] ??
          Object.values(properties).find((value) => typeof value === 'string');
        // A property's value is data (a proposal's title, a file's text): shown as text, never as markup.
        if (name !== undefined) item.bindTooltip(textElement(String(name)));
      },
    }).addTo(map);
    fitData(base, layer.getBounds());
    await base.regions;
    element.dataset.ready = String(layer.getLayers().length);
    return;
  }
  const fields = [lat, lon, label]
    .filter(Boolean)
    .map((f) => JSON.stringify(f))
    .join(',');
  const url = `/api/3/action/datastore_search?resource_id=${encodeURIComponent(resource!)}&limit=5000&fields=${encodeURIComponent(fields)}`;
  const body = await fetch(url).then((r) => r.json());
  const bounds: L.LatLngExpression[] = [];
  for (const record of body.result?.records ?? []) {
    const point: [number, number] = [Number(record[lat!]), Number(record[lon!])];
    if (!Number.isFinite(point[0]) || !Number.isFinite(point[1]) || Math.abs(point[0]) > 90 || Math.abs(point[1]) > 180)
      continue;
    bounds.push(point);
    const marker = L.circleMarker(point, {
      radius: 5,
      color: '#083a66',
      weight: 1,
      fillColor: '#ffd200',
      fillOpacity: 0.9,
    }).addTo(map);
    if (label && record[label] !== null && record[label] !== undefined)
      marker.bindTooltip(textElement(String(record[label])));
  }
  fitData(base, bounds);
  await base.regions;
  element.dataset.ready = String(bounds.length);
}

const element = document.getElementById('rows-map');
if (element) start(element).catch((error) => console.error('map failed', error));
