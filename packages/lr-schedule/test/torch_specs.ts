// Maps a PyTorch lr_scheduler entry of lr_schedule.json (class + constructor_args) to our
// ScheduleSpec, so the golden tests exercise resolveSchedule and every schedule function.
import type {ScheduleSpec} from '../src';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = Record<string, any>;

/** The spec of our lr schedule equivalent to `cls(optimizer with lr = baseLr, **args)`. */
export function torchToSpec(cls: string, a: Args, baseLr: number): ScheduleSpec {
  switch (cls.replace('torch.optim.lr_scheduler.', '').replace('torch.optim.', '')) {
    case 'StepLR':
      return {type: 'step', initial: baseLr, stepSize: a.step_size, gamma: a.gamma};
    case 'MultiStepLR':
      return {type: 'multiStep', initial: baseLr, milestones: a.milestones, gamma: a.gamma};
    case 'ExponentialLR':
      return {type: 'exponential', initial: baseLr, gamma: a.gamma};
    case 'CosineAnnealingLR':
      return {type: 'cosine', initial: baseLr, decaySteps: a.T_max, final: a.eta_min, periodic: true};
    case 'CosineAnnealingWarmRestarts':
      return {type: 'cosineRestarts', initial: baseLr, period: a.T_0, periodMult: a.T_mult, final: a.eta_min};
    case 'OneCycleLR':
      return {
        type: 'oneCycle', maxValue: a.max_lr, totalSteps: a.total_steps, pctStart: a.pct_start,
        anneal: a.anneal_strategy, divFactor: a.div_factor, finalDivFactor: a.final_div_factor,
        threePhase: a.three_phase,
      };
    case 'LinearLR':
      return {type: 'linear', initial: baseLr, startFactor: a.start_factor, endFactor: a.end_factor, steps: a.total_iters};
    case 'PolynomialLR':
      return {type: 'polynomial', initial: baseLr, decaySteps: a.total_iters, power: a.power};
    case 'CyclicLR':
      return {
        type: 'cyclic', baseValue: a.base_lr, maxValue: a.max_lr, stepSizeUp: a.step_size_up,
        stepSizeDown: a.step_size_down ?? undefined, mode: a.mode, gamma: a.gamma,
      };
    case 'SequentialLR':
      return {
        type: 'sequence', boundaries: a.milestones,
        schedules: a.schedulers.map((s: {class: string; constructor_args: Args}) => torchToSpec(s.class, s.constructor_args, baseLr)),
      };
    case 'MultiplicativeLR': {
      const m = /^lambda \w+: ([0-9.eE+-]+)$/.exec(a.lr_lambda); // a constant factor, e.g. 'lambda epoch: 0.95'
      if (!m) throw new Error(`torchToSpec: cannot read lr_lambda ${a.lr_lambda}`);
      return {type: 'multiplicative', initial: baseLr, factor: Number(m[1])};
    }
    case 'ConstantLR':
      return {type: 'constantFactor', initial: baseLr, factor: a.factor, totalIters: a.total_iters};
    case 'ChainedScheduler':
      return {
        type: 'chained', initial: baseLr,
        schedules: a.schedulers.map((s: {class: string; constructor_args: Args}) => {
          const {initial: _i, ...sub} = torchToSpec(s.class, s.constructor_args, 1);
          return sub as ScheduleSpec; // chained sets initial: 1
        }),
      };
    case 'swa_utils.SWALR':
      return {type: 'swa', initial: baseLr, swaLr: a.swa_lr, annealEpochs: a.anneal_epochs, annealStrategy: a.anneal_strategy};
    default:
      throw new Error(`torchToSpec: no mapping for ${cls}`);
  }
}
