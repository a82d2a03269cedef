// The ballot's meter, live: as boxes are ticked it adds up the chosen projects against the rule
// (money in the district, or the number of choices) with the page's own messages. Without
// JavaScript the page shows the same meter for the saved choices.
import { meterState, type MeterState } from '../modules/budgets/meter.ts';

const box = document.querySelector<HTMLElement>('#ballot-meter-box');
const form = box?.closest('form');
const progress = document.querySelector<HTMLProgressElement>('#ballot-meter');
const text = document.querySelector<HTMLElement>('#ballot-meter-text');

if (box && form && progress && text) {
  const templates = JSON.parse(box.dataset.texts ?? '{}') as Record<MeterState['key'], string>;
  const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const districts = [...form.querySelectorAll<HTMLElement>('fieldset[data-district]')];
  const amounts = new Map(districts.map((d) => [Number(d.dataset.district), Number(d.dataset.amount)]));
  const names = new Map(districts.map((d) => [Number(d.dataset.district), d.dataset.name ?? '']));
  const rule =
    box.dataset.rule === 'approval'
      ? ({ kind: 'approval', maxChoices: Number(box.dataset.maxChoices) } as const)
      : ({ kind: 'knapsack' } as const);
  const update = () => {
    const chosen = [...form.querySelectorAll<HTMLInputElement>('input[name="projects"]:checked')].map((input) => ({
      cost: Number(input.dataset.cost),
      district: Number(input.closest<HTMLElement>('fieldset[data-district]')?.dataset.district),
    }));
    const state = meterState(rule, chosen, amounts);
    progress.max = state.max;
    progress.value = state.value;
    box.classList.toggle('over', state.over);
    const { district, ...counts } = state.params;
    let message = templates[state.key] ?? '';
    for (const [name, value] of Object.entries(counts))
      message = message.replaceAll(`{${name}}`, numbers.format(value));
    text.textContent = message.replaceAll('{district}', district === undefined ? '' : (names.get(district) ?? ''));
  };
  form.addEventListener('change', update);
  update();
}
