/** Version of @stable-train/initializers, written by changesets at release. */
export const version = '0.1.0';
