/** Version of @stable-train/resnet-blocks, written by changesets at release. */
export const version = '0.1.0';
