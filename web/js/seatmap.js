// The SVG seat map: drawn from the seat map's coordinates (GET /v1/events/{id}/seatmap),
// coloured by price level, with held and sold seats greyed.
//
// Built for 20,000+ seats: every seat is one <circle> written once (a single innerHTML string,
// no per-seat listeners: one delegated pointer handler finds the seat by its data-i), and state
// changes only toggle a class. Zoom and pan change the viewBox alone, so the browser repaints
// but nothing is rebuilt. Level of detail: while a seat would be drawn smaller than
// seat_pixels_min on screen, the map shows its sections at a glance (one shape per section,
// coloured by price level, faded when nothing is left in it, its name and how many seats are
// left); zoomed closer, the seats themselves. Mouse wheel, drag, pinch, the +/−/⟲ buttons and
// the keyboard (+, −, arrows, 0 while the map has focus) all zoom and pan.

const svgNS = 'http://www.w3.org/2000/svg';
const seat_pixels_min = 5;     // a seat drawn smaller than this: show sections instead
const zoom_step = 1.6;
const zoom_max_seats_across = 8;  // the closest zoom still shows about this many seats across
const drag_pixels_min = 5;      // a pointer that moves less than this clicked

export const palette = ['#1f77b4', '#e4572e', '#2ca02c', '#9467bd', '#f2a900', '#17becf',
  '#d62798', '#8c564b', '#7f7f00', '#005f73'];

export class SeatMap {
  // `map`: the seat map JSON. options: onSeat(i) when a seat is clicked (none: seats can't be
  // picked), label for the map.
  constructor(container, map, { onSeat = null, label = 'Seat map' } = {}) {
    this.container = container;
    this.onSeat = onSeat || (() => {});
    this.pickable = Boolean(onSeat);
    this.levelColour = new Map((map.price_levels || []).map((level, i) => [level.id, palette[i % palette.length]]));
    this.seats = [];          // {id, label, row, section (index), x, y}
    this.index = new Map();   // seat id → i
    this.sections = [];       // {id, name, level, first, count, available, box}
    for (const section of map.sections || []) {
      const s = { id: section.id, name: section.name, level: section.price_level,
        first: this.seats.length, count: 0, available: 0 };
      for (const row of section.rows) {
        for (const seat of row.seats) {
          this.index.set(seat.id, this.seats.length);
          this.seats.push({ id: seat.id, label: seat.label, row: row.label, section: this.sections.length,
            x: seat.x, y: seat.y });
        }
      }
      s.count = this.seats.length - s.first;
      s.available = s.count;
      this.sections.push(s);
    }
    this.state = new Uint8Array(this.seats.length);  // 0 available, 1 held, 2 sold
    this.selected = new Set();
    this.stage = map.stage;
    this.measure();
    this.build(label);
  }

  // Bounds, the typical distance between neighbours (the seat size), and each section's box.
  measure() {
    let gap = Infinity;
    for (let i = 1; i < Math.min(this.seats.length, 2000); i++) {
      const a = this.seats[i - 1], b = this.seats[i];
      const d = Math.hypot(a.x - b.x, a.y - b.y);
      if (d > 0 && d < gap) gap = d;
    }
    this.gap = Number.isFinite(gap) ? gap : 1;
    const box = () => ({ minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity });
    const grow = (b, x, y) => { b.minX = Math.min(b.minX, x); b.maxX = Math.max(b.maxX, x);
      b.minY = Math.min(b.minY, y); b.maxY = Math.max(b.maxY, y); };
    const all = box();
    for (const s of this.sections) {
      s.box = box();
      for (let i = s.first; i < s.first + s.count; i++) grow(s.box, this.seats[i].x, this.seats[i].y);
      if (s.count) { grow(all, s.box.minX, s.box.minY); grow(all, s.box.maxX, s.box.maxY); }
    }
    if (this.stage) grow(all, this.stage.x, this.stage.y);
    if (!Number.isFinite(all.minX)) Object.assign(all, { minX: 0, minY: 0, maxX: 10, maxY: 10 });
    const pad = this.gap * 3;
    this.full = { x: all.minX - pad, y: all.minY - pad, w: all.maxX - all.minX + 2 * pad, h: all.maxY - all.minY + 2 * pad };
  }

  build(label) {
    const r = this.gap * 0.42;
    const fontSize = Math.max(this.full.w, this.full.h) / 45;
    const parts = [];
    if (this.stage) {
      const w = Math.max(this.full.w / 5, this.gap * 6), h = fontSize * 1.8;
      parts.push(`<g class="stage-layer"><rect class="stage" x="${this.stage.x - w / 2}" y="${this.stage.y - h / 2}" width="${w}" height="${h}" rx="${h / 4}"/>`,
        `<text class="stage-label" x="${this.stage.x}" y="${this.stage.y + fontSize * 0.35}" font-size="${fontSize}" text-anchor="middle">STAGE</text></g>`);
    }
    parts.push('<g class="sections-layer">');
    this.sections.forEach((s, k) => {
      if (!s.count) return;
      const b = s.box;
      const points = hull(this.seats.slice(s.first, s.first + s.count)).map((p) => `${p.x},${p.y}`).join(' ');
      // A round stroke as wide as a seat pads the hull by half a seat all round.
      parts.push(`<polygon class="section-shape" data-section="${k}" points="${points}" stroke-width="${this.gap * 1.2}" stroke-linejoin="round" fill="${this.colour(s.level)}" stroke="${this.colour(s.level)}"><title></title></polygon>`);
      const text = s.name.length > 10 ? s.id : s.name;
      const size = Math.min(fontSize, (b.maxX - b.minX + this.gap) / (text.length * 0.62), (b.maxY - b.minY + this.gap) * 0.8);
      parts.push(`<text class="section-label" x="${(b.minX + b.maxX) / 2}" y="${(b.minY + b.maxY) / 2 + size * 0.35}" font-size="${size}" text-anchor="middle">${escapeXml(text)}</text>`);
    });
    parts.push('</g><g class="seats-layer">');
    for (let i = 0; i < this.seats.length; i++) {
      const seat = this.seats[i];
      parts.push(`<circle class="seat" data-i="${i}" data-seat="${escapeXml(seat.id)}" cx="${seat.x}" cy="${seat.y}" r="${r}" fill="${this.colour(this.sections[seat.section].level)}"/>`);
    }
    parts.push('</g>');

    const svg = document.createElementNS(svgNS, 'svg');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${label}: ${this.seats.length.toLocaleString()} seats in ${this.sections.length} sections. Zoom with + and −, move with the arrow keys.`);
    svg.setAttribute('tabindex', '0');
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    svg.innerHTML = parts.join('');
    this.svg = svg;
    this.circles = svg.querySelectorAll('circle.seat');
    this.sectionShapes = svg.querySelectorAll('.section-shape');

    const controls = document.createElement('div');
    controls.className = 'controls';
    for (const [text, name, action] of [['+', 'Zoom in', () => this.zoomBy(1 / zoom_step)],
      ['−', 'Zoom out', () => this.zoomBy(zoom_step)], ['⟲', 'Show the whole venue', () => this.reset()]]) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = text;
      button.setAttribute('aria-label', name);
      button.title = name;
      button.addEventListener('click', action);
      controls.append(button);
    }
    this.hint = document.createElement('div');
    this.hint.className = 'zoom-hint';
    this.container.replaceChildren(svg, controls, this.hint);
    this.listen();
    this.reset();
    this.refreshSections();
  }

  colour(level) { return this.levelColour.get(level) || '#888'; }

  // Seat i is 'available', 'held' or 'sold'.
  setState(i, state) {
    const code = state === 'sold' ? 2 : state === 'held' ? 1 : 0;
    const before = this.state[i];
    if (before === code) return;
    this.state[i] = code;
    const circle = this.circles[i];
    circle.classList.toggle('held', code === 1);
    circle.classList.toggle('sold', code === 2);
    const section = this.sections[this.seats[i].section];
    section.available += (code === 0) - (before === 0);
    this.scheduleSections();
  }

  stateOf(i) { return ['available', 'held', 'sold'][this.state[i]]; }

  setSelected(i, on) {
    if (on) this.selected.add(i); else this.selected.delete(i);
    this.circles[i].classList.toggle('selected', on);
  }

  scheduleSections() {
    if (this.sectionsPending) return;
    this.sectionsPending = true;
    requestAnimationFrame(() => { this.sectionsPending = false; this.refreshSections(); });
  }

  refreshSections() {
    for (const shape of this.sectionShapes) {
      const s = this.sections[Number(shape.dataset.section)];
      const colour = s.available ? this.colour(s.level) : '#b9bcc4';
      shape.setAttribute('fill', colour);
      shape.setAttribute('stroke', colour);
      shape.firstChild.textContent = `${s.name}: ${s.available.toLocaleString()} of ${s.count.toLocaleString()} seats left`;
    }
  }

  // --- zoom and pan: the viewBox is the whole state ---
  setView(view) {
    const minW = this.gap * zoom_max_seats_across;
    const w = Math.min(Math.max(view.w, minW), this.full.w * 1.5);
    const h = w * (this.full.h / this.full.w);
    const cx = Math.min(Math.max(view.x + view.w / 2, this.full.x), this.full.x + this.full.w);
    const cy = Math.min(Math.max(view.y + view.h / 2, this.full.y), this.full.y + this.full.h);
    this.view = { x: cx - w / 2, y: cy - h / 2, w, h };
    this.svg.setAttribute('viewBox', `${this.view.x} ${this.view.y} ${this.view.w} ${this.view.h}`);
    const pixels = this.svg.clientWidth || this.container.clientWidth || 800;
    const scale = Math.min(pixels / this.view.w, (this.svg.clientHeight || pixels) / this.view.h);
    const zoomed = this.gap * 0.84 * scale >= seat_pixels_min;
    this.svg.classList.toggle('zoomed', zoomed);
    this.hint.textContent = !zoomed ? 'Zoom in or click a section to see its seats' : this.pickable ? 'Click a seat to pick it' : '';
  }

  reset() { this.setView({ ...this.full }); }

  zoomBy(factor, cx = this.view.x + this.view.w / 2, cy = this.view.y + this.view.h / 2) {
    const w = this.view.w * factor, h = this.view.h * factor;
    this.setView({ x: cx - (cx - this.view.x) * factor, y: cy - (cy - this.view.y) * factor, w, h });
  }

  zoomToSection(k) {
    const b = this.sections[k].box, pad = this.gap * 2;
    const w = Math.max(b.maxX - b.minX + 2 * pad, (b.maxY - b.minY + 2 * pad) * this.full.w / this.full.h);
    this.setView({ x: (b.minX + b.maxX) / 2 - w / 2, y: (b.minY + b.maxY) / 2 - w / 2, w, h: w });
  }

  // Shows seat i, zoomed in enough to click it.
  reveal(i) {
    const seat = this.seats[i];
    const w = this.gap * 30;
    this.setView({ x: seat.x - w / 2, y: seat.y - w / 2, w, h: w });
  }

  // Screen point → map coordinates.
  toMap(clientX, clientY) {
    const point = new DOMPoint(clientX, clientY).matrixTransform(this.svg.getScreenCTM().inverse());
    return { x: point.x, y: point.y };
  }

  listen() {
    const svg = this.svg;
    const pointers = new Map();
    let start = null;   // {x, y, view, moved}
    let pinch = null;   // {distance, view}
    svg.addEventListener('wheel', (event) => {
      event.preventDefault();
      const at = this.toMap(event.clientX, event.clientY);
      this.zoomBy(Math.exp(event.deltaY * 0.0015), at.x, at.y);
    }, { passive: false });
    svg.addEventListener('pointerdown', (event) => {
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (pointers.size === 1) start = { x: event.clientX, y: event.clientY, view: { ...this.view }, moved: false };
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y), view: { ...this.view } };
        start.moved = true;
      }
    });
    svg.addEventListener('pointermove', (event) => {
      if (!pointers.has(event.pointerId) || !start) return;
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (pinch && pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        const factor = pinch.distance / Math.max(1, Math.hypot(a.x - b.x, a.y - b.y));
        const v = pinch.view;
        this.setView({ x: v.x + v.w * (1 - factor) / 2, y: v.y + v.h * (1 - factor) / 2, w: v.w * factor, h: v.h * factor });
        return;
      }
      const dx = event.clientX - start.x, dy = event.clientY - start.y;
      if (!start.moved && Math.hypot(dx, dy) < drag_pixels_min) return;
      if (!start.moved) { start.moved = true; svg.setPointerCapture(event.pointerId); svg.classList.add('dragging'); }
      const scale = start.view.w / (svg.clientWidth || 1);
      const ratio = Math.max(scale, start.view.h / (svg.clientHeight || 1));
      this.setView({ ...start.view, x: start.view.x - dx * ratio, y: start.view.y - dy * ratio });
    });
    const end = (event) => {
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinch = null;
      if (pointers.size > 0) return;
      svg.classList.remove('dragging');
      const clicked = start && !start.moved;
      start = null;
      if (!clicked || event.type !== 'pointerup') return;
      const target = document.elementFromPoint(event.clientX, event.clientY);
      if (target && target.classList.contains('seat') && svg.classList.contains('zoomed')) {
        this.onSeat(Number(target.dataset.i));
      } else if (target && target.classList.contains('section-shape')) {
        this.zoomToSection(Number(target.dataset.section));
      }
    };
    svg.addEventListener('pointerup', end);
    svg.addEventListener('pointercancel', end);
    svg.addEventListener('keydown', (event) => {
      const step = this.view.w / 8;
      const actions = {
        '+': () => this.zoomBy(1 / zoom_step), '=': () => this.zoomBy(1 / zoom_step),
        '-': () => this.zoomBy(zoom_step), '0': () => this.reset(),
        ArrowLeft: () => this.setView({ ...this.view, x: this.view.x - step }),
        ArrowRight: () => this.setView({ ...this.view, x: this.view.x + step }),
        ArrowUp: () => this.setView({ ...this.view, y: this.view.y - step }),
        ArrowDown: () => this.setView({ ...this.view, y: this.view.y + step }),
      };
      const action = actions[event.key];
      if (action) { event.preventDefault(); action(); }
    });
    new ResizeObserver(() => this.setView(this.view)).observe(svg);
  }
}

// The convex hull of points {x, y} (Andrew's monotone chain), counter-clockwise.
function hull(points) {
  const p = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const cross = (o, a, b) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower = [], upper = [];
  for (const point of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], point) <= 0) lower.pop();
    lower.push(point);
  }
  for (let i = p.length - 1; i >= 0; i--) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p[i]) <= 0) upper.pop();
    upper.push(p[i]);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

export function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
