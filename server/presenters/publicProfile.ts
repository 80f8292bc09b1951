export { presentPublicProfile } from "./credit.js";
