import type { CurrentUser } from "../../auth/currentUser.js";
import { CatalogItem } from "../../db/models/CatalogItem.js";
import { COMMITMENT_PROCESS_KEY } from "../commitments/processContract.js";
import { OBJECTION, REPAIR } from "../repair/contract.js";
import { SUPERVISION } from "../supervision/inspections/contract.js";
import { createCatalogItem, publishCatalogItem, type CatalogDeps } from "./catalogCommands.js";
import type { CatalogItemInput, GenericItemInput } from "./itemInput.js";
import { deployShippedProcess } from "./processDefinitions.js";

const SYSTEM: CurrentUser = {
  id: 0,
  username: "system",
  displayName: "系统",
  roles: ["admin"],
  groups: [],
  departmentId: null,
  departmentName: null,
  subjectIds: [],
  isAdmin: true,
};

const COMMON_CLAUSES = `<li>所提交的申请材料真实、合法、有效，复印件与原件一致，不存在隐瞒或虚构情况；</li>
<li>已知晓行政机关告知的全部内容，自愿选择告知承诺方式办理，已符合上述许可条件；</li>
<li>严格遵守国家法律法规和政策规定，自觉接受行政机关及社会的监督检查，积极配合核查；</li>
<li>如违反承诺或承诺内容不实，愿意承担违诺责任：行政机关可依法撤销许可决定，将违诺信息记入本单位信用记录并依法依规实施失信惩戒，构成犯罪的依法承担刑事责任；</li>
<li>同意将本承诺书及承诺履行情况通过“信用中国（河南荥阳）”网站等渠道依法公开。</li>`;

/** The two catalog items shipped with the platform: two departments, two forms, one generic process. */
export const SHIPPED_ITEMS: ReadonlyArray<{ itemCode: string; departmentCode: string; fields: CatalogItemInput }> = [
  {
    itemCode: "scjgj-food-business-licence",
    departmentCode: "scjgj",
    fields: {
      name: "食品经营许可（告知承诺）",
      legalBasis:
        "《中华人民共和国食品安全法》第三十五条；《中华人民共和国行政许可法》；《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）；《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）",
      commitmentType: "审批替代型",
      commitmentTypeOther: null,
      noticeContent: [
        "一、许可条件：具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所，保持场所环境整洁，并与有毒、有害场所以及其他污染源保持规定的距离；具有与经营的食品品种、数量相适应的经营设备或者设施；有专职或者兼职的食品安全管理人员和保证食品安全的规章制度；具有合理的设备布局和工艺流程。",
        "二、需提交的材料：食品经营许可申请书、营业执照、与食品经营相适应的主要设备设施布局及操作流程等文件、食品安全自查和从业人员健康管理等管理制度。",
        "三、承诺方式：申请人书面承诺已经符合上述条件的，市场监管部门当场作出许可决定，不再现场核查后发证。",
        "四、事后核查：许可决定作出后30日内，市场监管部门对申请人的经营场所、设备设施和管理制度进行现场核查。",
        "五、违诺责任：经核查发现申请人实际情况与承诺内容不符的，责令限期整改；逾期不整改或整改后仍不符合条件的，依法撤销许可决定；承诺不实的，将违诺信息记入申请人信用记录，并依法依规实施失信惩戒。",
      ].join("\n"),
      letterTemplate: `<p>本单位 {{subject.name}}（统一社会信用代码：{{subject.code}}）申请办理食品经营许可，经营场所位于{{data.premises}}，负责人{{data.principal}}。本单位已知晓市场监管部门告知的全部内容，现郑重承诺如下：</p>
<ol>
<li>本单位具有与经营的食品品种、数量相适应的经营场所和设备设施，已建立进货查验记录、从业人员健康管理、食品安全自查等食品安全管理制度，从业人员均持有有效健康证明；</li>
${COMMON_CLAUSES}
</ol>`,
      formKey: "food-business-commitment",
      processKey: COMMITMENT_PROCESS_KEY,
      verificationMethod: "现场核查：许可决定作出后对经营场所、设备设施和食品安全管理制度进行现场检查",
      verificationDays: 30,
      publicType: "可向社会公开",
      validityMonths: 60,
      reviewDays: 5,
    },
  },
  {
    itemCode: "zjj-construction-permit",
    departmentCode: "zjj",
    fields: {
      name: "建筑工程施工许可（告知承诺）",
      legalBasis:
        "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》（住房和城乡建设部令第18号，2021年修正）；《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）",
      commitmentType: "容缺受理型",
      commitmentTypeOther: null,
      noticeContent: [
        "一、许可条件：已经办理该建筑工程用地批准手续；依法应当办理建设工程规划许可证的，已经取得建设工程规划许可证；施工场地已经基本具备施工条件；已经确定施工企业；有满足施工需要的资金安排、施工图纸及技术资料，施工图设计文件已按规定审查合格；有保证工程质量和安全的具体措施。",
        "二、可承诺的材料：建设资金已经落实的证明、施工场地已具备施工条件的说明，可以书面承诺代替，其余材料按规定提交。",
        "三、事后核查：住建部门在许可决定作出后20日内对施工现场和资金落实情况进行核查。",
        "四、违诺责任：经核查承诺不实的，责令停止施工、限期改正，依法撤销施工许可证，对建设单位处以罚款，并将违诺信息记入建设单位信用记录，依法依规实施失信惩戒。",
      ].join("\n"),
      letterTemplate: `<p>本单位 {{subject.name}}（统一社会信用代码：{{subject.code}}）申请办理“{{data.projectName}}”（建设地址：{{data.siteAddress}}）的建筑工程施工许可，施工单位为{{data.contractor}}，合同价格{{data.contractPrice}}万元。本单位已知晓住建部门告知的全部内容，现郑重承诺如下：</p>
<ol>
<li>本工程建设资金已经落实，施工场地已基本具备施工条件，已制定保证工程质量和安全的具体措施；</li>
${COMMON_CLAUSES}
</ol>`,
      formKey: "construction-permit-commitment",
      processKey: COMMITMENT_PROCESS_KEY,
      verificationMethod: "现场核查与资料核查：核查施工现场条件和建设资金到位情况",
      verificationDays: 20,
      publicType: "可向社会公开",
      validityMonths: 12,
      reviewDays: 3,
    },
  },
];

/**
 * The 通用事项 shipped with the platform: flows with no module of their own, only processes/ and forms/ (an example of
 * what a department builds without code).
 */
export const SHIPPED_GENERIC_ITEMS: ReadonlyArray<{ itemCode: string; departmentCode: string; fields: GenericItemInput }> = [
  {
    itemCode: "fgw-letter-reissue",
    departmentCode: "fgw",
    fields: {
      name: "信用承诺书补领",
      legalBasis:
        "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）；《荥阳市信用承诺管理办法》",
      noticeContent: [
        "一、适用情形：已作出的信用承诺书原件遗失或损毁，需要加盖印章的副本用于办事或存档的。",
        "二、办理条件：承诺书在信用承诺档案中有记录；申请人为承诺主体或其经办人。",
        "三、需提交的信息：原承诺编码、补领原因和情况说明、联系人及联系电话。",
        "四、办理流程：网上提交申请 → 市信用办审核（材料不全的退回补正）→ 补领完成，凭办件编号到市民之家信用窗口领取副本。",
      ].join("\n"),
      formKey: "letter-reissue-apply",
      processKey: "letter-reissue",
      reviewDays: 3,
    },
  },
];

/** Every process shipped in processes/ that boot keeps deployed (a changed file deploys a new version). */
const SHIPPED_PROCESS_KEYS = [
  COMMITMENT_PROCESS_KEY,
  REPAIR.processKey,
  OBJECTION.processKey,
  SUPERVISION.processKey,
  ...new Set(SHIPPED_GENERIC_ITEMS.map((i) => i.fields.processKey)),
];

/**
 * Deploys the shipped processes (processes/*.bpmn) that changed and creates and publishes the shipped catalog items
 * that do not exist yet (idempotent: runs on every boot, after the shipped forms are seeded).
 */
export async function bootShippedCatalog(deps: CatalogDeps): Promise<{ deployed: (string | null)[]; seeded: string[] }> {
  const deployed: (string | null)[] = [];
  for (const key of SHIPPED_PROCESS_KEYS) deployed.push(await deps.db.transaction((t) => deployShippedProcess(deps.engine, key, t)));
  const seeded: string[] = [];
  const specs = [
    ...SHIPPED_ITEMS.map((spec) => ({ ...spec, kind: "commitment" as const })),
    ...SHIPPED_GENERIC_ITEMS.map((spec) => ({ ...spec, kind: "generic" as const })),
  ];
  for (const spec of specs) {
    if (await CatalogItem.findOne({ where: { itemCode: spec.itemCode } })) continue;
    await deps.db.transaction(async (t) => {
      const base = { actor: SYSTEM, itemCode: spec.itemCode, departmentCode: spec.departmentCode };
      await createCatalogItem(
        deps,
        spec.kind === "generic" ? { ...base, kind: "generic", fields: spec.fields } : { ...base, fields: spec.fields },
        t,
      );
      await publishCatalogItem(deps, { actor: SYSTEM, itemCode: spec.itemCode }, t);
    });
    seeded.push(spec.itemCode);
  }
  return { deployed, seeded };
}
