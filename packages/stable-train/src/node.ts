// `stable-train/node`: the Node-only parts of stable-train, kept out of the main entry so that
// it bundles for browsers: checkpoint folders on disk, the MNIST loader (the optional `mnist`
// package, 41 MB of JSON) and the CLI's `main`. Everything of the main entry is re-exported,
// so Node code can import from here alone.
export * from './index';
export {listCheckpoints, readCheckpointDir, writeCheckpointDir, type CheckpointFs, type WriteCheckpointOptions} from './checkpoint_fs';
export {loadMnist} from './data/mnist';
export {main as runCli} from './cli/main';
