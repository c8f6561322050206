const NON_TEXT_INPUTS = new Set(['button', 'checkbox', 'color', 'file', 'image', 'radio', 'range', 'reset', 'submit']);

/** Whether a key press is typing: into a text field, a text area or a combobox. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLInputElement) return !NON_TEXT_INPUTS.has(target.type);
  return Boolean(target.closest('textarea, select, [contenteditable="true"], [role="combobox"], [role="textbox"], [role="searchbox"]'));
}

/** Whether focus rests on something that handles Enter and the arrows itself. */
export function isInteractiveTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (isTypingTarget(target)) return true;
  return Boolean(
    target.closest(
      'input, button, a[href], [role="button"], [role="option"], [role="radio"], [role="menuitem"], [role="tab"], [role="slider"], [role="dialog"], th, li[tabindex]',
    ),
  );
}
