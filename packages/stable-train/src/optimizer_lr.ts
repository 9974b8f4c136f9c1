/** Moved to @stable-train/lr-schedule (shared with @stable-train/layers); re-exported here unchanged. */
export {getOptimizerLr, setOptimizerLr} from '@stable-train/lr-schedule';
