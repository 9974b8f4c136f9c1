import * as tf from '@tensorflow/tfjs-core';
import {captureOptimizerState, restoreOptimizerState} from './optimizer_state';
import {stateFromJson, stateToJson} from './state_json';
import type {Trainer} from './trainer';

/** Format tag and version written in every checkpoint's `meta.json`. */
export const CHECKPOINT_FORMAT = 'stable-train-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** One tensor's place in `weights.bin`. */
export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Byte offset in weights.bin. */
  offset: number;
  trainable?: boolean;
}

/** The JSON part of a checkpoint. */
export interface CheckpointMeta {
  format: string;
  version: number;
  step: number;
  epoch: number;
  seed: number;
  savedAt: string;
  variables: TensorEntry[];
  optimizer: {className: string; state: TensorEntry[]};
  guard: unknown;
  stateful: {[key: string]: unknown};
  model: unknown;
  /** Free-form data of the caller (the CLI stores its run config here). */
  extra: unknown;
  /** FNV-1a hash and length of weights.bin, to detect corruption. */
  weightsHash: string;
  weightsBytes: number;
}

/** Serialises a trainer's full state into `{meta, bytes}` (no file system involved). */
export async function packCheckpoint(trainer: Trainer, extra?: unknown): Promise<{meta: CheckpointMeta; bytes: Uint8Array}> {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const add = async (name: string, t: tf.Tensor, trainable?: boolean): Promise<TensorEntry> => {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`save: tensor ${name} has unsupported dtype ${t.dtype}`);
    const data = await t.data();
    const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const e: TensorEntry = {name, shape: t.shape, dtype: t.dtype, offset, ...(trainable === undefined ? {} : {trainable})};
    chunks.push(bytes);
    offset += bytes.byteLength;
    return e;
  };
  const variables: TensorEntry[] = [];
  for (const v of trainer.model.variables) variables.push(await add(v.name, v, v.trainable));
  const opt = await captureOptimizerState(trainer.optimizer);
  const state: TensorEntry[] = [];
  try {
    for (const s of opt) state.push(await add(s.name, s.tensor));
  } finally {
    tf.dispose(opt.map((s) => s.tensor));
  }
  const bytes = new Uint8Array(offset);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.byteLength;
  }
  const stateful: {[key: string]: unknown} = {};
  for (const [k, s] of Object.entries(trainer.opts.stateful ?? {})) {
    const st = s.getState();
    stateful[k] = await stateToJson(st);
    tf.dispose(collectTensors(st));
  }
  const modelState = trainer.model.getState ? await stateToJson(trainer.model.getState()) : null;
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, step: trainer.step_, epoch: trainer.epoch, seed: trainer.seed,
    savedAt: new Date().toISOString(), variables,
    optimizer: {className: trainer.optimizer.getClassName(), state},
    guard: trainer.guard.getState(), stateful, model: modelState, extra: extra ?? null,
    weightsHash: fnv1a(bytes), weightsBytes: bytes.byteLength,
  };
  return {meta, bytes};
}

/**
 * Loads a packed checkpoint into a trainer built with the same model and optimizer kind.
 * Every mismatch is listed by name in one error, before anything is changed.
 */
export async function unpackCheckpoint(trainer: Trainer, meta: CheckpointMeta, bytes: Uint8Array, where: string): Promise<void> {
  if (meta.format !== CHECKPOINT_FORMAT) throw new Error(`restore: ${where} is not a stable-train checkpoint (format ${JSON.stringify(meta.format)})`);
  if (meta.version !== CHECKPOINT_VERSION) throw new Error(`restore: ${where} has format version ${meta.version}, this build reads ${CHECKPOINT_VERSION}`);
  if (bytes.byteLength !== meta.weightsBytes || fnv1a(bytes) !== meta.weightsHash) {
    throw new Error(`restore: ${where} is corrupted: weights.bin has ${bytes.byteLength} bytes and hash ${fnv1a(bytes)}, meta.json expects ${meta.weightsBytes} bytes and hash ${meta.weightsHash}`);
  }
  const problems: string[] = [];
  const byName = new Map(trainer.model.variables.map((v) => [v.name, v]));
  const saved = new Set(meta.variables.map((e) => e.name));
  for (const e of meta.variables) {
    const v = byName.get(e.name);
    if (!v) problems.push(`variable ${e.name} is in the checkpoint but not in the model`);
    else if (v.shape.join(',') !== e.shape.join(',')) problems.push(`variable ${e.name} has shape [${e.shape}] in the checkpoint but [${v.shape}] in the model`);
    else if (v.dtype !== e.dtype) problems.push(`variable ${e.name} has dtype ${e.dtype} in the checkpoint but ${v.dtype} in the model`);
  }
  for (const name of byName.keys()) if (!saved.has(name)) problems.push(`variable ${name} is in the model but not in the checkpoint`);
  const cls = trainer.optimizer.getClassName();
  if (meta.optimizer.className !== cls) problems.push(`optimizer is ${meta.optimizer.className} in the checkpoint but ${cls} now`);
  for (const k of Object.keys(meta.stateful)) if (!trainer.opts.stateful?.[k]) problems.push(`state '${k}' is in the checkpoint but the trainer has no such stateful object`);
  if (problems.length) throw new Error(`restore: checkpoint ${where} does not match the trainer:\n  - ${problems.join('\n  - ')}`);
  const read = (e: TensorEntry): tf.Tensor => {
    const n = e.shape.reduce((a, b) => a * b, 1);
    const buf = bytes.buffer.slice(bytes.byteOffset + e.offset, bytes.byteOffset + e.offset + n * 4);
    return tf.tensor(e.dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf), e.shape, e.dtype);
  };
  for (const e of meta.variables) {
    const t = read(e);
    byName.get(e.name)!.assign(t);
    t.dispose();
  }
  const opt = meta.optimizer.state.map((e) => ({name: e.name, tensor: read(e)}));
  try {
    await restoreOptimizerState(trainer.optimizer, opt);
  } finally {
    tf.dispose(opt.map((s) => s.tensor));
  }
  for (const [k, json] of Object.entries(meta.stateful)) {
    const made: tf.Tensor[] = [];
    trainer.opts.stateful![k].setState(stateFromJson(json, made));
    tf.dispose(made);
  }
  if (meta.model != null && trainer.model.setState) {
    const made: tf.Tensor[] = [];
    trainer.model.setState(stateFromJson(meta.model, made));
    tf.dispose(made);
  }
  trainer.guard.setState(meta.guard as ReturnType<Trainer['guard']['getState']>);
  trainer.step_ = meta.step;
  trainer.epoch = meta.epoch;
}

/** 32-bit FNV-1a of the bytes, as 8 hex digits: cheap corruption detection, no crypto needed. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function collectTensors(v: unknown, out: tf.Tensor[] = []): tf.Tensor[] {
  if (v instanceof tf.Tensor) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => collectTensors(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => collectTensors(x, out));
  return out;
}
