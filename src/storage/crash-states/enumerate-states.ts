import { choicesForSize } from './count-states.js';
import type { CrashPointModel } from './crash-point-model.js';
import { CrashState } from './crash-state.js';

/**
 * Every distinct state of a crash at the model's point, each once, in a fixed order (size code,
 * then sector choices as a mixed-radix counter, last touched sector fastest). Use only when
 * countStates(model) is small: the count is a product over sectors.
 */
export function* enumerateStates(model: CrashPointModel): Generator<CrashState> {
  for (let sizeCode = 0; sizeCode < model.sizesBytes.length; sizeCode++) {
    const choices = choicesForSize(model, sizeCode);
    const varying = choices.map((c, t) => (c.length > 1 ? t : -1)).filter((t) => t >= 0);
    const digits = new Array<number>(varying.length).fill(0);
    for (;;) {
      const codes = model.newCodes();
      for (let t = 0; t < choices.length; t++) codes[t] = choices[t][0];
      varying.forEach((t, i) => (codes[t] = choices[t][digits[i]]));
      yield new CrashState(model, sizeCode, codes);
      let i = digits.length - 1;
      while (i >= 0 && digits[i] === choices[varying[i]].length - 1) digits[i--] = 0;
      if (i < 0) break;
      digits[i]++;
    }
  }
}
