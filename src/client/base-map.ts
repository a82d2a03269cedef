// What every map island starts from. With a tile server configured by the operator (MAP_TILES_URL,
// given to the page as <body data-map-tiles>), street-level tiles with their attribution; without
// one, an offline base of Ukraine's regions (from /geo/oblasts.geojson), named when zoomed in, so
// that points never float on a blank page. Either way the map then fits its data.
import L from 'leaflet';
import { textElement } from './text.ts';

export interface BaseMap {
  map: L.Map;
  /** True when the operator's tiles show streets: street-level zooms make sense. */
  streets: boolean;
  /** The regions' layer (offline base, or outlines over tiles when asked); null if it failed to load. */
  regions: Promise<L.GeoJSON | null>;
}

export interface BaseMapOptions {
  /** A region's fill colour, by ISO 3166-2 code (a choropleth); undefined leaves it plain. */
  fill?: (iso: string) => string | undefined;
  /** Draw the regions over the tiles too (choropleths). */
  regionsOverTiles?: boolean;
}

/** Ukraine as a whole: the view before any data is known. */
export const UKRAINE = L.latLngBounds([44.3, 22.1], [52.4, 40.3]);
/** The offline base names its regions when at most this many are in view (more would cover the map). */
const MAX_NAMED_REGIONS = 10;

export function baseMap(element: HTMLElement, options: BaseMapOptions = {}): BaseMap {
  const tiles = document.body.dataset.mapTiles;
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: false });
  map.fitBounds(UKRAINE);
  const attribution = L.control.attribution({ prefix: false }).addTo(map);
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: escapeText(document.body.dataset.mapAttribution ?? '') }).addTo(map);
  } else {
    element.classList.add('map-offline');
  }
  const drawRegions = !tiles || options.regionsOverTiles || options.fill;
  const regions = drawRegions ? loadRegions(map, Boolean(tiles), options) : Promise.resolve(null);
  regions.then((layer) => layer && attribution.addAttribution('Boundaries: geoBoundaries'));
  return { map, streets: Boolean(tiles), regions };
}

async function loadRegions(map: L.Map, overTiles: boolean, options: BaseMapOptions): Promise<L.GeoJSON | null> {
  const lang = document.documentElement.lang || 'uk';
  const shapes = await fetch(`/geo/oblasts.geojson?lang=${encodeURIComponent(lang)}`)
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  if (!shapes) return null;
  const layer = L.geoJSON(shapes, {
    interactive: false,
    style: (feature) => {
      const fill = options.fill?.(String(feature?.properties?.iso));
      return {
        color: '#7b8794',
        weight: 1,
        fillColor: fill ?? '#f7f5f0',
        fillOpacity: fill ? 0.75 : overTiles ? 0 : 1,
      };
    },
  }).addTo(map);
  if (!overTiles) addRegionNames(map, layer);
  layer.bringToBack();
  return layer;
}

/** Where a region's name goes when its centre is not inside it (Kyiv Oblast surrounds Kyiv). */
const LABEL_PLACES: Record<string, L.LatLngTuple> = { 'UA-32': [50.75, 29.85] };

/** The regions' names at their centres, as text (never markup), when few are in view; not clickable. */
function addRegionNames(map: L.Map, layer: L.GeoJSON): void {
  const places: L.LatLng[] = [];
  for (const item of layer.getLayers() as L.Polygon[]) {
    const { iso, name } = (item.feature?.properties ?? {}) as { iso?: string; name?: string };
    if (!name) continue;
    const place = L.latLng((iso && LABEL_PLACES[iso]) || item.getBounds().getCenter());
    places.push(place);
    L.marker(place, {
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: 'region-label', html: textElement(name), iconSize: [0, 0] }),
    }).addTo(map);
  }
  const showNames = () => {
    const view = map.getBounds();
    const inView = places.filter((p) => view.contains(p)).length;
    map.getContainer().classList.toggle('map-labels', inView <= MAX_NAMED_REGIONS);
  };
  map.on('moveend', showNames);
  showNames();
}

/** Fits the map to its data: a single place shows its surroundings (streets with tiles, the region without). */
export function fitData(base: BaseMap, points: L.LatLngExpression[] | L.LatLngBounds): void {
  const bounds = points instanceof L.LatLngBounds ? points : L.latLngBounds(points);
  if (!bounds.isValid()) return;
  if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
    const centre = bounds.getCenter();
    if (base.streets) base.map.setView(centre, 12);
    else base.map.fitBounds(centre.toBounds(240_000));
    return;
  }
  base.map.fitBounds(bounds, { padding: [20, 20], maxZoom: base.streets ? 16 : 8 });
}

/** Leaflet's attributions are HTML: the operator's goes in as text. */
function escapeText(text: string): string {
  const span = document.createElement('span');
  span.textContent = text;
  return span.innerHTML;
}
