export { addDays, addMonths, chinaCompactDay, chinaDay, chinaDayEnd, chinaDayStart, weekday } from "./days.js";
export { WorkingCalendar, addWorkingDays, loadWorkingCalendar } from "./workingDays.js";
export { listCalendarDays, removeCalendarDay, setCalendarDay } from "./calendarDays.js";
export { RULE_KEYS, ruleValue, setRuleValue } from "./rules.js";
