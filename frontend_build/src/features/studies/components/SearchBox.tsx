import { SearchOutlined } from '@ant-design/icons';
import { Input, type InputRef } from 'antd';
import { forwardRef, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export const SEARCH_DEBOUNCE_MS = 250;

interface Props {
  /** The search text in the URL. */
  value: string;
  onCommit: (q: string) => void;
  /** ↓ in the box: go to the rows. */
  onArrowDown?: () => void;
}

/** The search box: debounced, so that a word typed fast is one search (and one history entry). */
export const SearchBox = forwardRef<InputRef, Props>(function SearchBox({ value, onCommit, onArrowDown }, ref) {
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
      className="studies-search"
      aria-label={t('studies.searchLabel')}
      aria-keyshortcuts="/"
      placeholder={t('studies.searchPlaceholder')}
      prefix={<SearchOutlined aria-hidden />}
      suffix={<kbd className="shortcut-hint" title={t('studies.searchShortcut')}>/</kbd>}
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
