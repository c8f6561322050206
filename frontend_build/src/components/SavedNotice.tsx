import { message as antMessage } from 'antd';
import { useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { onDesktopSaved } from '@/lib/download';
import { formatNumber } from '@/lib/format';

/** The notices of a saved export: where it went, and the cells Excel could not hold. */
export function useSavedNotice() {
  const { t, i18n } = useTranslation();
  const [message, holder] = antMessage.useMessage();
  const tellShortened = useCallback(
    (shortened: number) => {
      if (shortened > 0) {
        message.warning(t('export.shortened', { count: shortened, cells: formatNumber(shortened, i18n.language) }), 12);
      }
    },
    [message, t, i18n.language],
  );
  const tellSaved = useCallback(
    (saved: string, shortened: number) => {
      message.success(t('export.saved', { path: saved }));
      tellShortened(shortened);
    },
    [message, t, tellShortened],
  );
  return { message, holder, tellSaved, tellShortened };
}

/** What the desktop window's File > Export… saved (it saves without the app's buttons,
 *  then tells the app), said on whichever screen is open, in the app's language. */
export function DesktopSavedNotice() {
  const { holder, tellSaved } = useSavedNotice();
  useEffect(() => onDesktopSaved(({ saved, shortened }) => tellSaved(saved, shortened)), [tellSaved]);
  return holder;
}
