// Two palette entries the platform's processes need most: a user task (审核、核查) and a service task (内部服务),
// so nobody has to draw a plain task and change its type.
function PlatformPalette(palette, create, elementFactory, translate) {
  const creator = (type) => (event) => create.start(event, elementFactory.createShape({ type }));
  palette.registerProvider(500, this);
  this.getPaletteEntries = function () {
    return function (entries) {
      const added = {
        "create.user-task": {
          group: "activity",
          className: "bpmn-icon-user-task",
          title: translate("Create user task"),
          action: { dragstart: creator("bpmn:UserTask"), click: creator("bpmn:UserTask") },
        },
        "create.service-task": {
          group: "activity",
          className: "bpmn-icon-service-task",
          title: translate("Create service task"),
          action: { dragstart: creator("bpmn:ServiceTask"), click: creator("bpmn:ServiceTask") },
        },
      };
      // Right after the plain task.
      const result = {};
      for (const [key, entry] of Object.entries(entries)) {
        result[key] = entry;
        if (key === "create.task") Object.assign(result, added);
      }
      return Object.keys(result).length === Object.keys(entries).length ? Object.assign(result, added) : result;
    };
  };
}
PlatformPalette.$inject = ["palette", "create", "elementFactory", "translate"];

export const platformPaletteModule = {
  __init__: ["xyPlatformPalette"],
  xyPlatformPalette: ["type", PlatformPalette],
};
