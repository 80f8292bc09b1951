import { GradingIndicator } from "./GradingIndicator.js";
import { GradingModel } from "./GradingModel.js";
import { SubjectGrade } from "./SubjectGrade.js";

export { GradingIndicator, GradingModel, SubjectGrade };

/** Models of the public credit evaluation (issue 14): subject classes, evaluation models and their indicators. */
export const GRADING_MODELS = [SubjectGrade, GradingModel, GradingIndicator];
