declare module "bpmn-moddle" {
  export class BpmnModdle {
    constructor(packages?: Record<string, object>);
    fromXML(xml: string): Promise<unknown>;
  }
}
