/** Version of @stable-train/batchnorm, written by changesets at release. */
export const version = '0.1.0';
