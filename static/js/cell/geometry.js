// Every coordinate of the cell diagram, in one place: a wide layout and a narrow one (phones),
// each in its own viewBox units. Fonts are chosen so that text renders at 11 px or more at the
// narrowest width each layout is used at (wide from 600 px, narrow from 320 px).
const WIDE = {
  width: 760,
  font: { title: 16, text: 14, small: 13, op: 18 },
  gateX: { f: 190, i: 320, g: 450, o: 580 }, // centres, in colah's order
  gateW: 104,
  eqColumns: 2,
};
const NARROW = {
  width: 360,
  font: { title: 16, text: 14, small: 14, op: 17 },
  gateX: { f: 46, i: 132, g: 218, o: 300 },
  gateW: 76,
  eqColumns: 1,
};

/** The full geometry of one layout: boxes, wires, operations, text rows. */
function build(base) {
  const { width, gateX, gateW } = base;
  const cLine = 80;
  const gateTop = 214;
  const gateH = 34;
  const addX = (gateX.i + gateX.g) / 2;
  const outX = Math.min(gateX.o + gateW * 0.55, width - 26);
  const op = {
    forget: { x: gateX.f, y: cLine, label: "×" },
    add: { x: addX, y: cLine, label: "+" },
    input: { x: addX, y: 158, label: "×" },
    tanh: { x: outX, y: 122, label: "tanh" },
    output: { x: outX, y: 184, label: "×" },
  };
  const r = 14;
  const stripTop = gateTop - 14;
  const wires = [
    [gateX.f, stripTop, gateX.f, cLine + r],
    [gateX.i, stripTop, gateX.i, op.input.y],
    [gateX.i, op.input.y, addX - r, op.input.y],
    [gateX.g, stripTop, gateX.g, op.input.y],
    [gateX.g, op.input.y, addX + r, op.input.y],
    [addX, op.input.y - r, addX, cLine + r],
    [outX, cLine, outX, op.tanh.y - r],
    [outX, op.tanh.y + r, outX, op.output.y - r],
    [gateX.o, stripTop, gateX.o, op.output.y],
    [gateX.o, op.output.y, outX - r, op.output.y],
    [outX + r, op.output.y, width - 4, op.output.y],
  ];
  const rows = { value: gateTop + gateH + 17, x: gateTop + gateH + 34, h: gateTop + gateH + 51 };
  const hBus = rows.h + 20;
  for (const x of Object.values(gateX)) wires.push([x, rows.h + 6, x, hBus]);
  const eqTop = hBus + 70;
  return {
    ...base,
    r,
    cLine,
    cellBox: { x: 8, y: 36, width: width - 16, height: hBus - 36 - 8 },
    gate: { top: gateTop, height: gateH, stripY: stripTop, stripH: 10 },
    ops: Object.values(op),
    wires,
    rows,
    hBus,
    xIn: { x: 24, top: hBus + 24 },
    hOut: { x: width - 4, y: op.output.y },
    eq: { top: eqTop, line: 22 },
  };
}

const LAYOUTS = { wide: build(WIDE), narrow: build(NARROW) };

/** The layout for a container this wide (px). */
export function cellLayout(containerWidth) {
  return containerWidth >= 600 ? LAYOUTS.wide : LAYOUTS.narrow;
}

/** The viewBox height once the equations (n lines) are placed. */
export function cellHeight(g, nLines) {
  return g.eq.top + Math.ceil(nLines / g.eqColumns) * g.eq.line;
}
