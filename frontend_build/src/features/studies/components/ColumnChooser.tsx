import { SettingOutlined } from '@ant-design/icons';
import { Button, Checkbox, Popover } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ALWAYS_SHOWN, STUDY_COLUMNS } from '../columns';

/** Show or hide the table's columns (the exam ID always stays). */
export function ColumnChooser({ hidden, onChange }: { hidden: string[]; onChange: (hidden: string[]) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const hiddenSet = new Set(hidden);
  const content = (
    <div
      className="column-chooser"
      role="group"
      aria-label={t('studies.columnsTitle')}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      {STUDY_COLUMNS.map((name, index) => (
        <Checkbox
          key={name}
          autoFocus={index === 0}
          checked={!hiddenSet.has(name) || name === ALWAYS_SHOWN}
          disabled={name === ALWAYS_SHOWN}
          onChange={(event) => {
            const next = new Set(hiddenSet);
            if (event.target.checked) next.delete(name);
            else next.add(name);
            onChange(STUDY_COLUMNS.filter((column) => next.has(column)));
          }}
        >
          {t(`columns.${name}`)}
        </Checkbox>
      ))}
      <Button size="small" type="link" onClick={() => onChange([])} disabled={hidden.length === 0}>
        {t('studies.showAllColumns')}
      </Button>
    </div>
  );
  return (
    <Popover content={content} title={t('studies.columnsTitle')} trigger="click" open={open} onOpenChange={setOpen} placement="bottomRight">
      <Button ref={button} icon={<SettingOutlined aria-hidden />} aria-haspopup="true" aria-expanded={open}>
        {t('studies.columns')}
        {hidden.length > 0 ? ` (${STUDY_COLUMNS.length - hidden.length}/${STUDY_COLUMNS.length})` : ''}
      </Button>
    </Popover>
  );
}
