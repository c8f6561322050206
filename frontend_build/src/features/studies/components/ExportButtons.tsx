import { DownloadOutlined, FileExcelOutlined } from '@ant-design/icons';
import { Button, Space, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSavedNotice } from '@/components/SavedNotice';
import { DesktopSaveError, downloadFile, savesThroughDesktop } from '@/lib/download';
import { formatNumber } from '@/lib/format';
import { exportUrl } from '../api/studies';
import type { StudySearch } from '../searchState';

/** Rows an Excel worksheet holds below its header row. */
export const XLSX_MAX_STUDIES = 1_048_575;
/** How many texts the Excel file cut to fit a cell (each listed on its sheet "Shortened cells"). */
export const SHORTENED_CELLS_HEADER = 'X-Imaging-Desk-Shortened-Cells';

export function ExportButtons({ search, total }: { search: StudySearch; total: number | null }) {
  const { t, i18n } = useTranslation();
  const { message, holder: messageHolder, tellSaved, tellShortened } = useSavedNotice();
  const tooManyForExcel = total !== null && total > XLSX_MAX_STUDIES;
  const nothing = total === 0;

  const run = async (format: 'csv' | 'xlsx') => {
    // Said before the download: an Excel file is fetched whole first (to read the
    // count of shortened cells), which takes seconds for many studies.
    if (!savesThroughDesktop() && total !== null) {
      message.info(t('export.started', { total: formatNumber(total, i18n.language) }));
    }
    try {
      const outcome = await downloadFile(exportUrl(search, format), '', { readHeaders: format === 'xlsx' });
      if (outcome.via === 'desktop') {
        if (outcome.saved) tellSaved(outcome.saved, outcome.shortened);
        return;
      }
      tellShortened(Number(outcome.headers?.get(SHORTENED_CELLS_HEADER) ?? 0));
    } catch (error) {
      if (error instanceof DesktopSaveError) {
        message.error(t('export.notSaved', { detail: error.message }), 12);
        return;
      }
      message.error(t('export.failed', { detail: error instanceof Error ? error.message : String(error) }));
    }
  };

  return (
    <Space.Compact className="export-buttons">
      {messageHolder}
      <Tooltip title={nothing ? t('export.nothing') : t('export.label')}>
        <Button icon={<DownloadOutlined aria-hidden />} onClick={() => void run('csv')} disabled={nothing}>
          {t('export.csv')}
        </Button>
      </Tooltip>
      <Tooltip title={nothing ? t('export.nothing') : tooManyForExcel ? t('export.xlsxTooMany') : t('export.label')}>
        <Button icon={<FileExcelOutlined aria-hidden />} onClick={() => void run('xlsx')} disabled={nothing || tooManyForExcel}>
          {t('export.xlsx')}
        </Button>
      </Tooltip>
    </Space.Compact>
  );
}
