export * from "./constants";
export * from "./error-codes";
export * from "./extension-identity";
export * from "./protocol/browser";
export * as child from "./protocol/child";
export * from "./protocol/common";
