/** MClass-D: loaders for a user's download, ISIC downloads, the synthetic benchmark, the agreement analysis. */
export * from "./answers.ts";
export * from "./data.ts";
export * from "./isic.ts";
export * from "./panel.ts";
export * from "./synthetic.ts";
export * from "./agreement.ts";
