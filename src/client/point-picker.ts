// Map island for forms that take a place (a participatory-budget proposal): clicking the map fills
// the latitude and longitude fields, and typing in them moves the marker. The fields stay the
// way to enter a place without a mouse or without JavaScript.
import L from 'leaflet';
import { baseMap } from './base-map.ts';

async function start(element: HTMLElement): Promise<void> {
  const { latInput, lonInput, centerLat, centerLon } = element.dataset;
  const lat = document.getElementById(latInput!) as HTMLInputElement;
  const lon = document.getElementById(lonInput!) as HTMLInputElement;
  const base = baseMap(element);
  const { map } = base;
  // A place is picked within the city: the form's city fills the map (the country when none is known).
  if (centerLat && centerLon) map.setView([Number(centerLat), Number(centerLon)], 12);
  let marker: L.CircleMarker | null = null;
  const place = (point: L.LatLng) => {
    if (marker) marker.setLatLng(point);
    else
      marker = L.circleMarker(point, {
        radius: 8,
        color: '#083a66',
        weight: 2,
        fillColor: '#ffd200',
        fillOpacity: 0.9,
      }).addTo(map);
  };
  const fromInputs = () => {
    const point = L.latLng(Number(lat.value.replace(',', '.')), Number(lon.value.replace(',', '.')));
    if (lat.value && lon.value && Number.isFinite(point.lat) && Number.isFinite(point.lng)) place(point);
  };
  map.on('click', (event: L.LeafletMouseEvent) => {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    place(event.latlng);
  });
  lat.addEventListener('change', fromInputs);
  lon.addEventListener('change', fromInputs);
  fromInputs();
  await base.regions;
  element.dataset.ready = 'true';
}

const element = document.getElementById('point-picker');
if (element) start(element).catch((error) => console.error('map failed', error));
