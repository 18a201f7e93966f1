// Reads a seat-map file for a new venue: JSON (a whole venue, or just its `layout`, as in
// POST /v1/venues), or CSV with the columns section,row,seat,x,y (a header line optional; seat
// ids become "<section>-<row>-<seat>", rows keep the order of the file, which is the order of
// adjacency for best available). Answers {layout} or throws an Error with a sentence.

export function parseSeatMap(name, text) {
  if (/\.json$/i.test(name) || /^\s*[{[]/.test(text)) return parseJson(text);
  return { layout: parseCsv(text) };
}

function parseJson(text) {
  let value;
  try { value = JSON.parse(text); } catch (error) {
    throw new Error(`The file is not valid JSON (${error.message}).`);
  }
  const layout = value.layout || value;
  if (!Array.isArray(layout.sections) && !Array.isArray(layout.ga_areas)) {
    throw new Error('The JSON file has no "sections" or "ga_areas": see docs/api.md for the layout.');
  }
  return { layout: { sections: [], ga_areas: [], ...layout }, venue: value.layout ? value : null };
}

function parseCsv(text) {
  const sections = new Map();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, n) => {
    if (!line.trim() || line.trim().startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (n === 0 && cells[0].toLowerCase() === 'section') return;
    if (cells.length < 5) throw new Error(`Line ${n + 1} has ${cells.length} columns; expected section,row,seat,x,y.`);
    const [section, row, seat, xText, yText] = cells;
    const x = Number(xText), y = Number(yText);
    if (!section || !row || !seat || !Number.isFinite(x) || !Number.isFinite(y) || xText === '' || yText === '') {
      throw new Error(`Line ${n + 1} is not section,row,seat,x,y with numbers for x and y: “${line}”.`);
    }
    if (!sections.has(section)) sections.set(section, { id: section, name: section, rows: new Map() });
    const rows = sections.get(section).rows;
    if (!rows.has(row)) rows.set(row, []);
    rows.get(row).push({ id: `${section}-${row}-${seat}`, label: seat, x, y });
  });
  if (!sections.size) throw new Error('The CSV file has no seats.');
  return {
    sections: [...sections.values()].map((s) => ({ id: s.id, name: s.name,
      rows: [...s.rows.entries()].map(([label, seats]) => ({ label, seats })) })),
    ga_areas: [],
  };
}

// "FLOOR, Floor, 2500" per line → GA areas.
export function parseGaAreas(text) {
  return text.split(/\r?\n/).filter((l) => l.trim()).map((line, n) => {
    const [id, name, capacity] = line.split(',').map((c) => c.trim());
    if (!id || !name || !(Number(capacity) > 0)) throw new Error(`General admission line ${n + 1} should be “ID, name, capacity”.`);
    return { id, name, capacity: Number(capacity) };
  });
}

// The layout as a seat map the SeatMap class draws (every section at one placeholder level).
export function previewMap(layout) {
  return {
    stage: layout.stage,
    sections: (layout.sections || []).map((s) => ({ ...s, price_level: 'preview' })),
    ga_areas: (layout.ga_areas || []).map((a) => ({ ...a, price_level: 'preview' })),
    price_levels: [{ id: 'preview', name: 'Seats' }],
  };
}
