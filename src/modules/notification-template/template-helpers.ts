/**
 * The names a template may call; anything else is refused when the template is saved
 * (template-validation.ts) and cannot compile at render time (the notification
 * renderer, which implements them).
 */
export const TEMPLATE_HELPERS = ['if', 'unless', 'with', 'each', 'lookup', 'money', 'number', 'percent', 'datetime', 'duration'] as const;
