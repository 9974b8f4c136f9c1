/** Version of @stable-train/lr-schedule, written by changesets at release. */
export const version = '0.1.0';
