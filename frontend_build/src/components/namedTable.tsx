import { forwardRef, useMemo, type HTMLAttributes } from 'react';

/**
 * antd Table's `components` that name its <table> element (aria-label), so that the
 * table is found by its role and name ("Reports", "Import history"). rc-table
 * renders components.table as an element type: the component stays the same while
 * the name does.
 */
export function useNamedTable(label: string) {
  return useMemo(
    () => ({
      table: forwardRef<HTMLTableElement, HTMLAttributes<HTMLTableElement>>(function NamedTable(props, ref) {
        return <table ref={ref} aria-label={label} {...props} />;
      }),
    }),
    [label],
  );
}
