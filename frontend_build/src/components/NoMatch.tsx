import { Button, Empty } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '@/lib/format';

interface Props {
  /** The screen's texts: `<area>.emptyTitle`, `.pastEnd`, `.emptyHintFilters`, `.emptyHintQuery`, `.goToLast`. */
  area: 'studies' | 'reports';
  page: number;
  lastPage: number;
  total: number | null;
  filtered: boolean;
  onLastPage: () => void;
  onClear: () => void;
}

/** A search that shows no rows: past its last page (go there), or filtered (clear them), or simply no match. */
export function NoMatch({ area, page, lastPage, total, filtered, onLastPage, onClear }: Props) {
  const { t, i18n } = useTranslation();
  const pastEnd = page > lastPage;
  return (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <span className="empty-text">
          <strong>{t(`${area}.emptyTitle`)}</strong>
          <br />
          {pastEnd
            ? t(`${area}.pastEnd`, { page: formatNumber(page, i18n.language), last: formatNumber(lastPage, i18n.language) })
            : filtered
              ? t(`${area}.emptyHintFilters`)
              : t(`${area}.emptyHintQuery`)}
        </span>
      }
    >
      {pastEnd && total ? (
        <Button type="primary" onClick={onLastPage}>
          {t(`${area}.goToLast`)}
        </Button>
      ) : filtered ? (
        <Button type="primary" onClick={onClear}>
          {t('filters.clear')}
        </Button>
      ) : null}
    </Empty>
  );
}
