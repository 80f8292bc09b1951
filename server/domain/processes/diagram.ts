// What the console shows about a deployed BPMN file without drawing it: whether it carries diagram
// information (BPMNDI, which bpmn-js needs) and the list of its flow elements. The XML was validated at
// deploy time; this scans it textually and never parses it with an XML library (only server/engine does).

export interface BpmnElement {
  id: string;
  type: string;
  typeLabel: string;
  name: string | null;
}

const TYPE_LABELS: Record<string, string> = {
  startEvent: "开始事件",
  endEvent: "结束事件",
  intermediateCatchEvent: "中间捕获事件",
  intermediateThrowEvent: "中间抛出事件",
  boundaryEvent: "边界事件",
  userTask: "用户任务",
  serviceTask: "服务任务",
  sendTask: "发送任务",
  receiveTask: "接收任务",
  manualTask: "手工任务",
  businessRuleTask: "业务规则任务",
  scriptTask: "脚本任务",
  task: "任务",
  callActivity: "调用活动",
  subProcess: "子流程",
  exclusiveGateway: "排他网关",
  parallelGateway: "并行网关",
  inclusiveGateway: "包容网关",
  eventBasedGateway: "事件网关",
  complexGateway: "复杂网关",
};

const ELEMENT = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?(${Object.keys(TYPE_LABELS).join("|")})\\b([^>]*)>`, "g");

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e === "lt") return "<";
    if (e === "gt") return ">";
    if (e === "amp") return "&";
    if (e === "quot") return '"';
    if (e === "apos") return "'";
    const code = e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
  });
}

function attribute(attrs: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attrs);
  if (!m) return null;
  return decodeXml(m[2] ?? m[3] ?? "");
}

/** True when the file has at least one drawn shape (bpmndi:BPMNShape); bpmn-js cannot draw it otherwise. */
export function hasDiagramInformation(xml: string): boolean {
  return /<(?:[A-Za-z_][\w.-]*:)?BPMNShape\b/.test(xml);
}

/** The flow nodes of every process in the file, in document order (sequence flows left out). */
export function flowElements(xml: string): BpmnElement[] {
  const out: BpmnElement[] = [];
  const seen = new Set<string>();
  const body = xml.replace(/<!--[\s\S]*?-->/g, "");
  for (const m of body.matchAll(ELEMENT)) {
    const type = m[1]!;
    const id = attribute(m[2] ?? "", "id");
    if (!id || seen.has(id)) continue;
    seen.add(id);
    out.push({ id, type, typeLabel: TYPE_LABELS[type] ?? type, name: attribute(m[2] ?? "", "name") });
  }
  return out;
}
