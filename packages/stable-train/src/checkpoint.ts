import * as tf from '@tensorflow/tfjs-core';
import type {AveragingJson, AveragingStage} from './averaging_stage';
import type {GuardState} from './guard';
import {captureOptimizerState, restoreOptimizerState, type NamedState} from './optimizer_state';
import {Snapshot} from './snapshot';
import {stateFromJson, stateToJson} from './state_json';
import type {TrainState, TrainStateJson} from './train_state';
import type {Module, Stateful} from './types';

/** Format tag and version written in every checkpoint's `meta.json`. */
export const CHECKPOINT_FORMAT = 'stable-train-checkpoint';
/** 2: the whole training state (snapshot, running loss, optimizer's hidden state) and `metaHash`. */
export const CHECKPOINT_VERSION = 2;

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
  /** True when the guard reported no trouble and every weight was finite when it was saved. */
  healthy: boolean;
  variables: TensorEntry[];
  optimizer: {className: string; state: TensorEntry[]};
  /** The rollback snapshot (policy 'rollback') and the step it was taken after. */
  snapshot: {step: number; variables: TensorEntry[]; optimizer: TensorEntry[]} | null;
  /** The weight average (Trainer `averaging`) once it has started; absent otherwise. */
  averaging?: AveragingJson & {values: TensorEntry[]};
  /** The loop's own state: step, epoch, the epoch's running loss, snapshot counter. */
  train: TrainStateJson;
  guard: unknown;
  stateful: {[key: string]: unknown};
  model: unknown;
  /** Free-form data of the caller (the CLI stores its run config here). */
  extra: unknown;
  /** FNV-1a hash and length of weights.bin, to detect corruption. */
  weightsHash: string;
  weightsBytes: number;
  /** FNV-1a hash of this JSON without `metaHash` (hand edits and truncation are detected). */
  metaHash: string;
}

/** What `packCheckpoint` reads from and `unpackCheckpoint` writes into (the Trainer). */
export interface CheckpointSubject {
  readonly model: Module;
  readonly optimizer: tf.Optimizer;
  readonly seed: number;
  readonly guard: {getState(): GuardState; setState(s: GuardState): void; readonly badInARow: number};
  readonly state: TrainState;
  /** Objects whose `getState()` is saved, by key (the Trainer's `stateful` and its plateau). */
  readonly statefulObjects: {[key: string]: Stateful};
  /** The weight averaging, if any (its average is saved once it has started). */
  readonly averaging?: AveragingStage | null;
}

/** Serialises a trainer's full state into `{meta, bytes}` (no file system involved). */
export async function packCheckpoint(trainer: CheckpointSubject, extra?: unknown): Promise<{meta: CheckpointMeta; bytes: Uint8Array}> {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  let finite = true;
  const add = async (name: string, t: tf.Tensor, trainable?: boolean): Promise<TensorEntry> => {
    if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`save: tensor ${name} has unsupported dtype ${t.dtype}`);
    const data = await t.data();
    if (trainable !== undefined && t.dtype === 'float32') for (let i = 0; i < data.length && finite; i++) finite = Number.isFinite(data[i]);
    const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const e: TensorEntry = {name, shape: t.shape, dtype: t.dtype, offset, ...(trainable === undefined ? {} : {trainable})};
    chunks.push(bytes);
    offset += bytes.byteLength;
    return e;
  };
  const addAll = async (xs: NamedState[]): Promise<TensorEntry[]> => {
    const out: TensorEntry[] = [];
    for (const s of xs) out.push(await add(s.name, s.tensor));
    return out;
  };
  const variables: TensorEntry[] = [];
  for (const v of trainer.model.variables) variables.push(await add(v.name, v, v.trainable));
  const opt = await captureOptimizerState(trainer.optimizer);
  let state: TensorEntry[];
  try {
    state = await addAll(opt);
  } finally {
    tf.dispose(opt.map((s) => s.tensor));
  }
  const snap = trainer.state.snapshot;
  let snapshot: CheckpointMeta['snapshot'] = null;
  if (snap) {
    const e = snap.entries();
    snapshot = {step: snap.step, variables: await addAll(e.variables), optimizer: await addAll(e.optimizer)};
  }
  let averaging: CheckpointMeta['averaging'];
  const avJson = trainer.averaging?.toJson();
  if (avJson) {
    const st = trainer.averaging!.averager.getState();
    try {
      averaging = {...avJson, values: await addAll(Object.entries(st.values).map(([name, tensor]) => ({name, tensor})))};
    } finally {
      tf.dispose(Object.values(st.values));
    }
  }
  const bytes = new Uint8Array(offset);
  let o = 0;
  for (const c of chunks) {
    bytes.set(c, o);
    o += c.byteLength;
  }
  const stateful: {[key: string]: unknown} = {};
  for (const [k, s] of Object.entries(trainer.statefulObjects)) {
    const st = s.getState();
    stateful[k] = await stateToJson(st);
    tf.dispose(collectTensors(st));
  }
  const modelState = trainer.model.getState ? await stateToJson(trainer.model.getState()) : null;
  const train = await trainer.state.toJson();
  const guard = trainer.guard.getState();
  const core = {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, step: train.step, epoch: train.epoch, seed: trainer.seed,
    savedAt: new Date().toISOString(), healthy: finite && guard.consecutive === 0 && !guard.gaveUp, variables,
    optimizer: {className: trainer.optimizer.getClassName(), state}, snapshot, ...(averaging ? {averaging} : {}), train,
    guard: await stateToJson(guard), stateful, model: modelState, extra: extra ?? null,
    weightsHash: fnv1a(bytes), weightsBytes: bytes.byteLength,
  };
  return {meta: {...core, metaHash: metaHashOf(core)}, bytes};
}

/** FNV-1a of the JSON text of `meta` without its `metaHash` (stable across a JSON round trip). */
export function metaHashOf(meta: object): string {
  const {metaHash: _h, ...rest} = meta as {metaHash?: unknown};
  return fnv1a(new TextEncoder().encode(JSON.stringify(rest)));
}

/**
 * Checks a checkpoint's integrity before anything is loaded: format and version, the hash of
 * `meta.json` (hand edits), the hash and length of the weights, and that every tensor entry lies
 * inside the weights, back to back, in order (swapped or overlapping offsets are refused).
 * @param meta the JSON part
 * @param bytes the weights
 * @param where the checkpoint, for errors
 */
export function verifyCheckpoint(meta: CheckpointMeta, bytes: Uint8Array, where: string): void {
  if (meta == null || typeof meta !== 'object') throw new Error(`restore: ${where} has no checkpoint metadata`);
  if (meta.format !== CHECKPOINT_FORMAT) throw new Error(`restore: ${where} is not a stable-train checkpoint (format ${JSON.stringify(meta.format)})`);
  if (meta.version !== CHECKPOINT_VERSION) throw new Error(`restore: ${where} has format version ${JSON.stringify(meta.version)}, this build reads ${CHECKPOINT_VERSION}`);
  const mh = metaHashOf(meta);
  if (meta.metaHash !== mh) throw new Error(`restore: ${where} is corrupted or was edited by hand: meta.json hashes to ${mh}, it records ${JSON.stringify(meta.metaHash)}`);
  if (bytes.byteLength !== meta.weightsBytes || fnv1a(bytes) !== meta.weightsHash) {
    throw new Error(`restore: ${where} is corrupted: weights.bin has ${bytes.byteLength} bytes and hash ${fnv1a(bytes)}, meta.json expects ${meta.weightsBytes} bytes and hash ${meta.weightsHash}`);
  }
  const entries = [...meta.variables, ...meta.optimizer.state, ...(meta.snapshot ? [...meta.snapshot.variables, ...meta.snapshot.optimizer] : []), ...(meta.averaging?.values ?? [])];
  let at = 0;
  for (const e of entries) {
    const okShape = Array.isArray(e.shape) && e.shape.every((d) => Number.isInteger(d) && d >= 0);
    if (!okShape || (e.dtype !== 'float32' && e.dtype !== 'int32') || e.offset !== at) {
      throw new Error(`restore: ${where} is corrupted: tensor ${JSON.stringify(e.name)} (shape ${JSON.stringify(e.shape)}, dtype ${JSON.stringify(e.dtype)}) should start at byte ${at}, meta.json says ${JSON.stringify(e.offset)}`);
    }
    at += 4 * e.shape.reduce((a, b) => a * b, 1);
  }
  if (at !== bytes.byteLength) throw new Error(`restore: ${where} is corrupted: its tensors take ${at} bytes, weights.bin has ${bytes.byteLength}`);
}

/**
 * Loads a packed checkpoint into a trainer built with the same model and optimizer kind.
 * The checkpoint is verified (`verifyCheckpoint`) and every mismatch is listed by name in one
 * error, before anything is changed.
 */
export async function unpackCheckpoint(trainer: CheckpointSubject, meta: CheckpointMeta, bytes: Uint8Array, where: string): Promise<void> {
  verifyCheckpoint(meta, bytes, where);
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
  const objs = trainer.statefulObjects;
  for (const k of Object.keys(meta.stateful)) if (!Object.prototype.hasOwnProperty.call(objs, k)) problems.push(`state '${k}' is in the checkpoint but the trainer has no such stateful object`);
  const av = meta.averaging;
  if (av) {
    const mine = trainer.averaging;
    if (!mine) problems.push(`averaged weights (${av.kind}) are in the checkpoint but the trainer has no averaging option`);
    else if (mine.kind !== av.kind) problems.push(`averaging is ${av.kind} in the checkpoint but ${mine.kind} now`);
    const trainable = new Map(trainer.model.variables.filter((v) => v.trainable).map((v) => [v.name, v]));
    const names = new Set(av.values.map((e) => e.name));
    for (const e of av.values) {
      const v = trainable.get(e.name);
      if (!v) problems.push(`averaged weight ${e.name} is in the checkpoint but not a trainable variable of the model`);
      else if (v.shape.join(',') !== e.shape.join(',')) problems.push(`averaged weight ${e.name} has shape [${e.shape}] in the checkpoint but [${v.shape}] in the model`);
    }
    for (const n of trainable.keys()) if (!names.has(n)) problems.push(`trainable variable ${n} has no averaged value in the checkpoint`);
  }
  if (problems.length) throw new Error(`restore: checkpoint ${where} does not match the trainer:\n  - ${problems.join('\n  - ')}`);
  const read = (e: TensorEntry): tf.Tensor => {
    const n = e.shape.reduce((a, b) => a * b, 1);
    const buf = bytes.buffer.slice(bytes.byteOffset + e.offset, bytes.byteOffset + e.offset + n * 4);
    return tf.tensor(e.dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf), e.shape, e.dtype);
  };
  const readAll = (es: TensorEntry[]): NamedState[] => es.map((e) => ({name: e.name, tensor: read(e)}));
  trainer.state.fromJson(meta.train, where); // checks its fields before anything else changes
  for (const e of meta.variables) {
    const t = read(e);
    byName.get(e.name)!.assign(t);
    t.dispose();
  }
  const opt = readAll(meta.optimizer.state);
  try {
    await restoreOptimizerState(trainer.optimizer, opt);
  } finally {
    tf.dispose(opt.map((s) => s.tensor));
  }
  trainer.state.snapshot?.dispose();
  trainer.state.snapshot = meta.snapshot ? Snapshot.fromEntries(meta.snapshot.step, readAll(meta.snapshot.variables), readAll(meta.snapshot.optimizer)) : null;
  if (av && trainer.averaging) {
    const vals = readAll(av.values);
    try {
      trainer.averaging.restore(av, Object.fromEntries(vals.map((v) => [v.name, v.tensor])));
    } finally {
      tf.dispose(vals.map((v) => v.tensor));
    }
  }
  for (const [k, json] of Object.entries(meta.stateful)) {
    const made: tf.Tensor[] = [];
    objs[k].setState(stateFromJson(json, made));
    tf.dispose(made);
  }
  if (meta.model != null && trainer.model.setState) {
    const made: tf.Tensor[] = [];
    trainer.model.setState(stateFromJson(meta.model, made));
    tf.dispose(made);
  }
  trainer.guard.setState(stateFromJson(meta.guard) as GuardState);
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
