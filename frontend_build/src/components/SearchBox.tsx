import { SearchOutlined } from '@ant-design/icons';
import { Input, type InputRef } from 'antd';
import { forwardRef, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export const SEARCH_DEBOUNCE_MS = 250;

interface Props {
  /** The accessible name, e.g. "Search studies". */
  label: string;
  placeholder?: string;
  /** Whether `/` focuses this box (the screen listens for it): shows the hint. */
  shortcut?: boolean;
  className?: string;
  /** The search text in the URL. */
  value: string;
  onCommit: (q: string) => void;
  /** ↓ in the box: go to the rows. */
  onArrowDown?: () => void;
}

/**
 * A search box (role searchbox): debounced, so that a word typed fast is one search
 * (and one history entry); Enter searches at once.
 */
export const SearchBox = forwardRef<InputRef, Props>(function SearchBox(
  { label, placeholder, shortcut = false, className = 'studies-search', value, onCommit, onArrowDown },
  ref,
) {
  const { t } = useTranslation();
  const [text, setText] = useState(value);
  const committed = useRef(value);

  // Back/forward (or a cleared filter) changes the URL: show its text, unless it is
  // only the echo of what this box committed.
  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value;
      setText(value);
    }
  }, [value]);

  useEffect(() => {
    if (text === committed.current) return;
    const timer = setTimeout(() => {
      committed.current = text;
      onCommit(text);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, onCommit]);

  return (
    <Input
      ref={ref}
      type="search"
      className={className}
      aria-label={label}
      aria-keyshortcuts={shortcut ? '/' : undefined}
      placeholder={placeholder}
      prefix={<SearchOutlined aria-hidden />}
      suffix={shortcut ? <kbd className="shortcut-hint" title={t('studies.searchShortcut')}>/</kbd> : undefined}
      allowClear
      value={text}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && text !== committed.current) {
          committed.current = text;
          onCommit(text);
        } else if (event.key === 'ArrowDown' && onArrowDown) {
          event.preventDefault();
          onArrowDown();
        } else if (event.key === 'Escape' && text === '') {
          (event.target as HTMLInputElement).blur();
        }
      }}
      autoComplete="off"
      spellCheck={false}
    />
  );
});
