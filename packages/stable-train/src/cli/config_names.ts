// One spelling for every name: run configs use the library's camelCase names (`residualMlp`,
// `twoSpirals`, `globalNorm`, `warmupCosine`, `trainLoss`) and grad-clip's AutoClip mode `'auto'`.
// The spellings that shipped before (`residual_mlp`, `'autoclip'`, ...) are still accepted, each
// with one deprecation warning naming the new spelling.

/** Old spelling → current spelling, per config field. */
export const DEPRECATED_CONFIG_NAMES: {[field: string]: {[old: string]: string}} = {
  'model.type': {residual_mlp: 'residualMlp', residual_cnn: 'residualCnn'},
  'data.type': {two_spirals: 'twoSpirals', teacher_student: 'teacherStudent'},
  'clip.mode': {autoclip: 'auto', global_norm: 'globalNorm', per_param: 'perParam', block_rms: 'blockRms'},
  'plateau.metric': {train_loss: 'trainLoss', test_loss: 'testLoss'},
};

const snakeToCamel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * A copy of a parsed run config with every deprecated name replaced by its current spelling;
 * `warn` is called once per replaced name. Schedule types in snake_case (`warmup_cosine`) become
 * camelCase (`warmupCosine`), the spelling lr-schedule's `resolveSchedule` knows.
 * @param json the parsed JSON (left untouched)
 * @param warn receives one message per deprecated name
 */
export function canonicalConfigNames(json: unknown, warn: (message: string) => void): unknown {
  if (json == null || typeof json !== 'object' || Array.isArray(json)) return json;
  const c = JSON.parse(JSON.stringify(json)) as {[k: string]: {[k: string]: unknown} | undefined};
  for (const [field, names] of Object.entries(DEPRECATED_CONFIG_NAMES)) {
    const [section, key] = field.split('.');
    const obj = c[section];
    const v = obj && typeof obj === 'object' ? obj[key] : undefined;
    // own keys only: 'constructor', 'toString', … must not resolve through Object.prototype
    if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(names, v)) {
      warn(`${field} '${v}' is deprecated, use '${names[v]}'`);
      obj![key] = names[v];
    }
  }
  const fixSchedule = (s: unknown, path: string): void => {
    if (s == null || typeof s !== 'object') return;
    const o = s as {type?: unknown; schedules?: unknown};
    if (typeof o.type === 'string' && /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(o.type)) {
      warn(`${path}.type '${o.type}' is deprecated, use '${snakeToCamel(o.type)}'`);
      o.type = snakeToCamel(o.type);
    }
    if (Array.isArray(o.schedules)) o.schedules.forEach((x, i) => fixSchedule(x, `${path}.schedules.${i}`));
  };
  fixSchedule(c.schedule, 'schedule');
  return c;
}
