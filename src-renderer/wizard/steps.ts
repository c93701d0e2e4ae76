// The wizard's steps in rail order. A new step: add its id here, its labels to the dictionaries,
// its component under wizard/, and one branch in App.svelte.
export const STEPS = ['setup', 'troubleshoot', 'verify', 'known'] as const;
export type WizardStep = (typeof STEPS)[number];
export type StepId = WizardStep | 'bundle';
