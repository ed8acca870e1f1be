/** The gazetteer (docs/places.md). */
import { PlaceMatchList, PlacesQuery } from '../places-http';
import { routes } from './route';

export const placeRoutes = routes({
  'GET /api/places': {
    summary: 'Places whose name matches `q`, best first; `country` keeps one country\'s',
    who: 'any user',
    query: PlacesQuery,
    responses: { 200: PlaceMatchList },
  },
});
