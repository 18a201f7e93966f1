// Seats and general-admission places as people read them ("Section 1, row R2, seat 7"), from
// the event's seat map (revalidated by its ETag, so after the event page it costs a 304). Ids
// the map does not name are shown as they are.
import { api } from './api.js';

export async function seatNames(eventId) {
  const map = await api(`/v1/events/${eventId}/seatmap`);
  const seats = new Map();
  for (const section of map.sections) {
    for (const row of section.rows) {
      for (const seat of row.seats) seats.set(seat.id, `${section.name}, row ${row.label}, seat ${seat.label}`);
    }
  }
  const areas = new Map(map.ga_areas.map((area) => [area.id, area.name]));
  return {
    seat: (id) => seats.get(id) ?? id,
    area: (id) => areas.get(id) ?? id,
    // A ticket's unit: a seat id, or "AREA#n" for the n-th place of a general-admission area.
    unit: (unit) => {
      const [area, place] = unit.split('#');
      return place ? `${areas.get(area) ?? area}, general admission, place ${place}` : seats.get(unit) ?? unit;
    },
  };
}
