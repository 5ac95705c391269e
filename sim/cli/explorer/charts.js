// Line charts with interval bands, drawn as SVG by the page: no charting library, no network.
const SVG = "http://www.w3.org/2000/svg";

function el(name, attributes = {}, text = "") {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

// Nice round ticks between lo and hi.
function ticks(lo, hi, count = 5) {
  const step0 = (hi - lo) / count || 1;
  const magnitude = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= step0);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
  return out;
}

// series: [{name, color, mean, lower, upper}], values per year (null where undefined).
export function lineChart({ title, years, series }) {
  const width = 340, height = 240, left = 52, right = 10, top = 42, bottom = 40;
  const values = series.flatMap((s) => [...s.mean, ...s.lower, ...s.upper]).filter((v) => v !== null);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (!values.length) { lo = 0; hi = 1; }
  if (hi - lo < 1e-12) { lo -= 0.5 * (Math.abs(lo) || 1); hi += 0.5 * (Math.abs(hi) || 1); }
  const pad = (hi - lo) * 0.05; lo -= pad; hi += pad;
  const x = (year) => left + ((year - years[0]) / Math.max(1, years[years.length - 1] - years[0])) * (width - left - right);
  const y = (v) => top + (1 - (v - lo) / (hi - lo)) * (height - top - bottom);

  const svg = el("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  svg.append(el("text", { class: "title", x: 4, y: 14 }, title));
  for (const t of ticks(lo, hi)) {
    svg.append(el("line", { class: "axis", x1: left, x2: width - right, y1: y(t), y2: y(t), "stroke-opacity": 0.25 }));
    svg.append(el("text", { x: left - 4, y: y(t) + 4, "text-anchor": "end" }, String(+t.toPrecision(3))));
  }
  for (const year of years)
    svg.append(el("text", { x: x(year), y: height - bottom + 14, "text-anchor": "middle" }, String(year)));
  svg.append(el("text", { x: (left + width - right) / 2, y: height - 6, "text-anchor": "middle" }, "year"));

  for (const s of series) {
    const points = years.map((year, i) => ({ year, m: s.mean[i], l: s.lower[i], u: s.upper[i] }));
    const band = points.filter((p) => p.l !== null && p.u !== null);
    if (band.length > 1) {
      const d = band.map((p, i) => `${i ? "L" : "M"}${x(p.year)},${y(p.u)}`).join("") +
        band.slice().reverse().map((p) => `L${x(p.year)},${y(p.l)}`).join("") + "Z";
      svg.append(el("path", { d, fill: s.color, "fill-opacity": 0.2, stroke: "none" }));
    }
    const line = points.filter((p) => p.m !== null);
    if (line.length) {
      const d = line.map((p, i) => `${i ? "L" : "M"}${x(p.year)},${y(p.m)}`).join("");
      svg.append(el("path", { d, fill: "none", stroke: s.color, "stroke-width": 2, class: `line-${s.name}` }));
    }
  }
  let lx = left;  // the legend under the title, one entry after the other
  for (const s of series) {
    svg.append(el("rect", { x: lx, y: 22, width: 10, height: 10, fill: s.color }));
    svg.append(el("text", { x: lx + 14, y: 31 }, s.name));
    lx += 26 + 6.5 * s.name.length;
  }
  svg.append(el("text", { x: lx, y: 31, fill: "#666" }, "band: 95% interval"));
  return svg;
}
