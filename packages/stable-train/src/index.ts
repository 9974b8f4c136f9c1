/** Version of stable-train, written by changesets at release. */
export const version = '0.1.0';
export * from './backends';
