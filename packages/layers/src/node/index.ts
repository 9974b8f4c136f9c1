/** Node-only parts of @stable-train/layers (filesystem): import from `@stable-train/layers/node`. */
export {fileSystem, registerFileSystem} from './file_system';
