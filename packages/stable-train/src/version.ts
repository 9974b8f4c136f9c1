/** Version of stable-train, written by changesets at release (kept equal to package.json's by a test). */
export const version = '0.1.0';
