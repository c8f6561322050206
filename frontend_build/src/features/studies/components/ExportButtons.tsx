import { DownloadOutlined, FileExcelOutlined } from '@ant-design/icons';
import { Button, Space, Tooltip, message as antMessage } from 'antd';
import { useTranslation } from 'react-i18next';
import { downloadFile } from '@/lib/download';
import { formatNumber } from '@/lib/format';
import { exportUrl } from '../api/studies';
import type { StudySearch } from '../searchState';

/** Rows an Excel worksheet holds below its header row. */
export const XLSX_MAX_STUDIES = 1_048_575;

export function ExportButtons({ search, total }: { search: StudySearch; total: number | null }) {
  const { t, i18n } = useTranslation();
  const [message, messageHolder] = antMessage.useMessage();
  const tooManyForExcel = total !== null && total > XLSX_MAX_STUDIES;
  const nothing = total === 0;

  const run = async (format: 'csv' | 'xlsx') => {
    try {
      const outcome = await downloadFile(exportUrl(search, format));
      if (outcome.via === 'desktop') {
        if (outcome.saved) message.success(t('export.saved', { path: outcome.saved }));
      } else if (total !== null) {
        message.info(t('export.started', { total: formatNumber(total, i18n.language) }));
      }
    } catch (error) {
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
