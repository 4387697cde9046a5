// Parses Mermaid diagrams with the real Mermaid parser: each file named on
// the command line; exit 1 with the parser's message on the first that fails.
// For each flowchart it also prints one `details: {…}` line of JSON: the
// configuration the text set (front matter or `%%{init}%%` directives) and
// every node's and edge's label, as a browser would show it.
import { JSDOM } from "jsdom";
import { readFileSync } from "node:fs";
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

// The flowchart keeps a label's entities in Mermaid's own encoding
// (`#37;` as `ﬂ°°37¶ß`), which it turns into HTML entities when it draws
// (its decodeEntities); the browser then reads those.
function shown(text) {
  const html = text.replaceAll("ﬂ°°", "&#").replaceAll("ﬂ°", "&").replaceAll("¶ß", ";");
  const element = document.createElement("textarea");
  element.innerHTML = html;
  return element.value;
}

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  try {
    const result = await mermaid.parse(text);
    console.log(`${file}: ok (${result.diagramType})`);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    if (diagram.db.getVertices) {
      const nodes = [...diagram.db.getVertices().values()].map((v) => shown(v.text));
      const edges = diagram.db.getEdges().map((e) => shown(e.text));
      console.log(`details: ${JSON.stringify({ config: result.config ?? {}, nodes, edges })}`);
    }
  } catch (e) {
    console.log(`${file}: ${e.message ?? e}`);
    failed = 1;
  }
}
process.exit(failed);
