/** Version of @stable-train/regularizers, written by changesets at release. */
export const version = '0.1.0';
