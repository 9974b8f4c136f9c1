/** Moved to @stable-train/grad-clip (shared with @stable-train/layers); re-exported here unchanged. */
export {RunningMedian} from '@stable-train/grad-clip';
