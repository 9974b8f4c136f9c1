/** Version of @stable-train/grad-clip, written by changesets at release. */
export const version = '0.1.0';
