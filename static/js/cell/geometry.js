// Every coordinate of the cell diagram, in one place: a wide layout and a narrow one (phones, and
// each of two cells side by side), each in its own viewBox units. The design fonts below are the
// sizes in viewBox units; cell-view.js turns them into the page's text size (cellFonts), so that
// labels scale with the page (classroom mode included), within what the layout has room for.
//
// Top to bottom: the c line (forget ×, +, zoneout on c), the output path (tanh, ×, then h(t) down
// the right with zoneout on h and the Dropout before Dense), the gates (marks on their activations,
// the activation strips, the yellow boxes, their value and what reaches them), the two wires into
// each gate (x(t) left, h(t-1) right) with their masks, the two buses, and x(t) coming in from
// below through the embedding's (or between layers') mask.
const WIDE = {
  width: 760,
  font: { title: 16, text: 15, small: 14, eq: 15, op: 17, mark: 14 },
  gateX: { f: 150, i: 280, g: 410, o: 540 }, // centres, in colah's order
  gateW: 104,
  eqColumns: 2,
};
const NARROW = {
  width: 360,
  font: { title: 16, text: 15, small: 14, eq: 15, op: 17, mark: 14 },
  gateX: { f: 40, i: 114, g: 188, o: 262 },
  gateW: 64,
  eqColumns: 1,
};

/** The full geometry of one layout: boxes, wires, operations, text rows, where each mask sits. */
function build(base) {
  const { width, gateX, gateW } = base;
  const cLine = 84;
  const r = 14;
  const gateTop = 216;
  const gateH = 34;
  const stripY = gateTop - 14; // the activation strips, just above the boxes
  const markY = 178; // marks on a gate's output (forum, candidate), above its activation strip
  const addX = (gateX.i + gateX.g) / 2;
  const wide = width > 600;
  // wide: o comes in from the left of the output ×, as in colah's picture; narrow: from below
  const outX = wide ? gateX.o + gateW / 2 + 34 : gateX.o;
  const downX = wide ? outX + 90 : width - 30; // h(t) goes down the right, through its marks
  const op = {
    forget: { x: gateX.f, y: cLine, label: "×" },
    add: { x: addX, y: cLine, label: "+" },
    input: { x: addX, y: 148, label: "×" },
    tanh: { x: outX, y: 116, label: "tanh", rx: 22 },
    output: { x: outX, y: 158, label: "×" },
  };
  const rows = { value: gateTop + gateH + 17, x: gateTop + gateH + 34, h: gateTop + gateH + 51 };
  const wireTop = rows.h + 6; // the wires into the gates start under the text rows
  const inMarkY = wireTop + 8; // the x and h masks of each gate, on its two wires
  const hBus = inMarkY + 30;
  const xBus = hBus + 16;
  const boxBottom = xBus + 10;
  const xIn = { x: 22, top: boxBottom + 58 };
  const inside = (cx) => ({ x: cx - gateW / 4, h: cx + gateW / 4 });
  const wires = [
    [gateX.f, stripY, gateX.f, cLine + r],
    [gateX.i, stripY, gateX.i, op.input.y],
    [gateX.i, op.input.y, addX - r, op.input.y],
    [gateX.g, stripY, gateX.g, op.input.y],
    [gateX.g, op.input.y, addX + r, op.input.y],
    [addX, op.input.y - r, addX, cLine + r],
    [outX, cLine, outX, op.tanh.y - r],
    [outX, op.tanh.y + r, outX, op.output.y - r],
    ...(wide ? [[gateX.o, stripY, gateX.o, op.output.y], [gateX.o, op.output.y, outX - r, op.output.y]] : [[gateX.o, stripY, gateX.o, op.output.y + r]]),
    [outX + r, op.output.y, downX, op.output.y],
    [downX, op.output.y, downX, rows.h + 14],
  ];
  const hBusEnd = Math.max(...Object.values(gateX).map((cx) => inside(cx).h));
  for (const cx of Object.values(gateX)) {
    const { x, h } = inside(cx);
    wires.push([x, wireTop, x, xBus], [h, wireTop, h, hBus]);
  }
  const markW = Math.min(gateW / 2 - 6, 44);
  const outMarkW = wide ? 70 : 50;
  const mark = {
    // one per gate: the gate's activation (forum) or the candidate (on g), above the strip
    gate: (cx) => ({ x: cx - gateW * 0.3, y: markY, width: gateW * 0.6, height: 10 }),
    x: (cx) => ({ x: inside(cx).x - markW / 2, y: inMarkY, width: markW, height: 10 }),
    h: (cx) => ({ x: inside(cx).h - markW / 2, y: inMarkY, width: markW, height: 10 }),
    zoneoutC: { x: wide ? outX + 40 : outX + 30, y: cLine - 5, width: wide ? 70 : 50, height: 10 },
    zoneoutH: { x: downX - outMarkW / 2, y: op.output.y + (wide ? 30 : 44), width: outMarkW, height: 10 },
    output: { x: downX - outMarkW / 2, y: op.output.y + (wide ? 74 : 88), width: outMarkW, height: 10 },
    input: { x: 8, y: boxBottom + 16, width: wide ? 96 : 72, height: 10 },
  };
  const eqTop = xIn.top + 58;
  return {
    ...base,
    r,
    cLine,
    cellBox: { x: 8, y: 36, width: width - 16, height: boxBottom - 36 },
    gate: { top: gateTop, height: gateH, stripY, stripH: 10 },
    ops: Object.values(op),
    wires,
    rows,
    hBus,
    hBusEnd,
    xBus,
    inside,
    mark,
    downX,
    boxBottom,
    xIn,
    hOut: { x: downX, y: rows.h + 14 },
    eq: { top: eqTop, line: 22 },
  };
}

const LAYOUTS = { wide: build(WIDE), narrow: build(NARROW) };

/** The layout for a container this wide (px); scale: how many px a 1-unit font must become
 * (1 normally; more when the page's text is larger), so the wide layout needs more room. */
export function cellLayout(containerWidth, scale = 1) {
  return containerWidth >= wideFrom(scale) ? LAYOUTS.wide : LAYOUTS.narrow;
}

/** The least container width (px) that gets the wide layout, at this text scale. */
export function wideFrom(scale = 1) {
  return LAYOUTS.wide.width * 0.93 * scale;
}

/** The viewBox height once the equations (n lines) are placed. */
export function cellHeight(g, nLines) {
  return g.eq.top + Math.ceil(nLines / g.eqColumns) * g.eq.line;
}
